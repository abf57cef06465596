/**
 * Auto-configuration of a {@code SharedMemoryManager} that runs with the application: its
 * properties, its lifecycle and the condition that backs off on a platform without POSIX
 * shared memory.
 */
@NullMarked
package dev.sharedmemory.autoconfigure;

import org.jspecify.annotations.NullMarked;
