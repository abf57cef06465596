package dev.sharedmemory.mapping;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The one seam between {@code SharedMemory} and the JDK's way of mapping memory: maps an
 * open block file into this process. Not part of the public API.
 */
public interface MemoryMapper {

	/**
	 * Maps the whole of an open block file, read-write and shared with every other
	 * process that maps it, first giving the file that size if it is shorter (as
	 * {@code ftruncate(2)} does: the pages it adds are allocated when first written).
	 * @param channel the block's file, open for reading and writing; on success the
	 * mapper owns it and closes it as soon as it no longer needs it (at the latest on
	 * {@link MappedRegion#release()}), on failure the caller closes it
	 * @param size the block's size in bytes, at least 1
	 * @return the mapping
	 * @throws IOException if the system refuses the mapping
	 */
	MappedRegion map(FileChannel channel, long size) throws IOException;

	/**
	 * Tells whether {@link MappedRegion#release()} unmaps a block of this size at once,
	 * turning every later access through a view into {@link IllegalStateException}, or
	 * leaves the unmapping to the garbage collector, views working until then.
	 * @param size the block's size in bytes
	 * @return {@code true} if release unmaps at once
	 */
	boolean unmapsOnRelease(long size);

	/**
	 * Returns a short name of this implementation for logs and benchmarks.
	 * @return the implementation's name
	 */
	String name();

	/**
	 * Returns the implementation this JDK supports best.
	 * @return the mapper to use
	 */
	static MemoryMapper best() {
		return MemoryMappers.BEST;
	}

}
