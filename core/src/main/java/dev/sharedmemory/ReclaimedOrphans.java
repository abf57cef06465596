package dev.sharedmemory;

import java.util.List;

/**
 * What {@link SharedMemoryManager#reclaimOrphans()} unlinked: blocks whose creator died
 * without unlinking them.
 *
 * @param blocks the blocks unlinked, in the order they were
 * @param records the number of records of dead owners that were cleared
 */
public record ReclaimedOrphans(List<Block> blocks, int records) {

	/**
	 * Creates a summary, keeping an immutable copy of the blocks.
	 * @param blocks the blocks unlinked
	 * @param records the number of records of dead owners that were cleared
	 */
	public ReclaimedOrphans {
		blocks = List.copyOf(blocks);
	}

	/**
	 * Returns the number of blocks unlinked.
	 * @return the count
	 */
	public int blockCount() {
		return this.blocks.size();
	}

	/**
	 * Returns the bytes the blocks unlinked held.
	 * @return the sum of their sizes
	 */
	public long totalBytes() {
		return this.blocks.stream().mapToLong(Block::size).sum();
	}

	/**
	 * A block that was unlinked.
	 *
	 * @param name its name
	 * @param size its size in bytes when it was unlinked
	 * @param ownerPid the process id of the process that created it and is gone
	 */
	public record Block(String name, long size, long ownerPid) {

	}

}
