/**
 * CPython's {@code multiprocessing.managers} wire protocol for
 * {@code SharedMemoryManager}: a {@link dev.sharedmemory.protocol.ManagerServer} that
 * Python clients reach with
 * {@code SharedMemoryManager(address=..., authkey=...).connect()}, the
 * {@link dev.sharedmemory.protocol.ManagerService} that answers them over a
 * {@link dev.sharedmemory.protocol.SegmentRegistry}, and a
 * {@link dev.sharedmemory.protocol.ManagerClient} with which a JVM creates blocks that a
 * Python manager tracks. The codec lives in {@code .wire} (framing, authentication) and
 * {@code .pickle} (a whitelist pickle subset).
 */
@NullMarked
package dev.sharedmemory.protocol;

import org.jspecify.annotations.NullMarked;
