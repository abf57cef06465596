/**
 * The manager server through which Python processes use the application's
 * {@code SharedMemoryManager}: its properties, its lifecycle and its auto-configuration.
 */
@NullMarked
package dev.sharedmemory.autoconfigure.server;

import org.jspecify.annotations.NullMarked;
