/**
 * The {@code sharedmemory} Actuator endpoint, which lists and unlinks the blocks the
 * manager created, its web extension and its auto-configuration.
 */
@NullMarked
package dev.sharedmemory.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
