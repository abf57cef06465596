package dev.sharedmemory;

/**
 * A block a {@link SharedMemoryManager} created and tracked that was unlinked, or
 * replaced by another file of the same name, by someone other than the manager: its data
 * is lost to every other process, and the manager no longer tracks it. What
 * {@link BlockListener}s are told.
 *
 * @param name the block's name
 * @param size its size in bytes
 * @param kind what it held
 * @param reason what happened to its file
 */
public record LostBlock(String name, long size, BlockKind kind, Reason reason) {

	/**
	 * What happened to a lost block's file.
	 */
	public enum Reason {

		/**
		 * The file is gone: another process unlinked it (most often a Python process's
		 * resource tracker).
		 */
		UNLINKED,

		/**
		 * The name now holds another file: the block was unlinked and a new file took its
		 * name.
		 */
		REPLACED

	}

}
