package dev.sharedmemory;

/**
 * Thrown when a block is created under a name that already exists (Python's
 * {@code FileExistsError}).
 */
public class SharedMemoryExistsException extends SharedMemoryException {

	private static final long serialVersionUID = 1L;

	/** The block's name. */
	private final String name;

	/**
	 * Creates an exception for the given block name.
	 * @param name the name that is taken
	 */
	public SharedMemoryExistsException(String name) {
		super("Shared memory block '" + name + "' already exists");
		this.name = name;
	}

	/**
	 * Returns the name that is taken.
	 * @return the block name, without a leading slash
	 */
	public String getName() {
		return this.name;
	}

}
