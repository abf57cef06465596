/**
 * The {@code sharedMemory} health indicator, which checks the manager's directory against
 * a threshold, its properties under {@code management.health.sharedmemory} and its
 * auto-configuration.
 */
@NullMarked
package dev.sharedmemory.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
