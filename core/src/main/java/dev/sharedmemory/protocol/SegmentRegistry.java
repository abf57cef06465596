package dev.sharedmemory.protocol;

import java.nio.file.Path;
import java.util.List;

/**
 * What the manager server tracks for its clients: the seam between the protocol and
 * whoever owns the blocks. A {@link DirectorySegmentRegistry} stands alone; an
 * application's manager can be one too. Implementations are thread-safe: requests arrive
 * concurrently.
 */
public interface SegmentRegistry {

	/**
	 * Returns the directory the blocks live in; Python's clients create theirs in
	 * {@code /dev/shm}, so a server refuses to start over any other.
	 * @return the directory
	 */
	Path directory();

	/**
	 * Tracks a block a client created ({@code track_segment}).
	 * @param name the block's name, as the client sent it
	 * @param peer who asked
	 * @throws IllegalArgumentException if the name is invalid or is not a regular block
	 * in the directory, with a message a Python user reads
	 */
	void track(String name, Peer peer);

	/**
	 * Stops tracking a block and unlinks it if it is still the one tracked
	 * ({@code release_segment}); nothing happens for a name not tracked, so that a client
	 * cannot unlink another's block.
	 * @param name the block's name
	 * @throws IllegalArgumentException if the name is invalid
	 */
	void release(String name);

	/**
	 * Returns the names of the blocks tracked and still there ({@code list_segments}).
	 * @return the names, oldest first
	 */
	List<String> names();

	/**
	 * Unlinks every block tracked that is still the one tracked, and forgets them all:
	 * what a permitted remote {@code shutdown} does. Idempotent, and a block already gone
	 * never stops it.
	 */
	void releaseAll();

}
