/**
 * Crash safety for {@link dev.sharedmemory.SharedMemoryManager}: the owner record a
 * manager keeps beside its blocks, the identity of the process that owns them, and the
 * reclaiming of blocks whose owner died without unlinking them. Not API: public only so
 * that {@code dev.sharedmemory} can use it, and free to change in any release.
 */
@NullMarked
package dev.sharedmemory.ownership;

import org.jspecify.annotations.NullMarked;
