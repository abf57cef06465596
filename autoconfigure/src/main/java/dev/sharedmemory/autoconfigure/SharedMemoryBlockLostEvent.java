package dev.sharedmemory.autoconfigure;

import dev.sharedmemory.LostBlock;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;

import org.springframework.context.ApplicationEvent;

/**
 * Published when the auto-configured {@link SharedMemoryManager} finds that a block it
 * tracked was unlinked or replaced by another process (most often a Python process's
 * resource tracker): the block's data is lost to every other process and the manager no
 * longer tracks it. Published on the manager's watcher thread.
 */
public class SharedMemoryBlockLostEvent extends ApplicationEvent {

	private final LostBlock block;

	/**
	 * Creates an event.
	 * @param directory the directory of the manager that lost the block
	 * @param block the block
	 */
	public SharedMemoryBlockLostEvent(SharedMemoryDirectory directory, LostBlock block) {
		super(directory);
		this.block = block;
	}

	/**
	 * Returns the directory of the manager that lost the block.
	 * @return the directory
	 */
	public SharedMemoryDirectory getDirectory() {
		return (SharedMemoryDirectory) getSource();
	}

	/**
	 * Returns the block that was lost.
	 * @return the block: its name, size, kind and what happened to it
	 */
	public LostBlock getBlock() {
		return this.block;
	}

}
