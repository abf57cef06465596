package dev.sharedmemory;

/**
 * Hears of what happens to the blocks a {@link SharedMemoryManager} tracks, beyond what
 * the manager itself does. Register one with
 * {@link SharedMemoryManager.Builder#listener(BlockListener)}.
 */
@FunctionalInterface
public interface BlockListener {

	/**
	 * Called once for a block the manager tracked that someone else unlinked or replaced.
	 * Called on the manager's watcher thread, within about a second of the change: a
	 * listener should return quickly. What it throws is logged, and the other listeners
	 * are called all the same.
	 * @param block the block, no longer tracked by the manager
	 */
	void blockLost(LostBlock block);

}
