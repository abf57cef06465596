package dev.sharedmemory.mapping;

import java.nio.ByteBuffer;

/**
 * A block mapped into this process. Not part of the public API.
 */
public interface MappedRegion {

	/**
	 * Returns a new, independent view of part of the region in native byte order.
	 * @param offset where the view starts, already checked against the region's size
	 * @param length how many bytes it covers, already checked against the region's size
	 * @return a view with position 0 and limit {@code length}
	 */
	ByteBuffer slice(long offset, int length);

	/**
	 * Releases this process's mapping; what that means for views already handed out is
	 * the implementation's to state. Called once, and again only if it threw.
	 * @throws IllegalStateException if the mapping cannot be released now, saying why; it
	 * is then left intact
	 */
	void release();

}
