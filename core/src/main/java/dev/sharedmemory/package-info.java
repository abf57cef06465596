/**
 * The public API: {@link dev.sharedmemory.SharedMemory} and
 * {@link dev.sharedmemory.ShareableList}, byte-compatible with Python's
 * {@code multiprocessing.shared_memory}, the
 * {@link dev.sharedmemory.SharedMemoryDirectory} that holds blocks as files, and the
 * {@link dev.sharedmemory.SharedMemoryManager} that tracks the blocks it creates and
 * unlinks them at shutdown. Everything a user needs is here; the other packages hold the
 * mechanisms behind it and are not API.
 */
@NullMarked
package dev.sharedmemory;

import org.jspecify.annotations.NullMarked;
