package dev.sharedmemory;

/**
 * Thrown when a block does not exist: on attach, or on an unlink of a name already
 * removed (Python's {@code FileNotFoundError}).
 */
public class SharedMemoryNotFoundException extends SharedMemoryException {

	private static final long serialVersionUID = 1L;

	/** The block's name. */
	private final String name;

	/**
	 * Creates an exception for the given block name.
	 * @param name the name that does not exist
	 */
	public SharedMemoryNotFoundException(String name) {
		super("Shared memory block '" + name + "' does not exist");
		this.name = name;
	}

	/**
	 * Returns the name that does not exist.
	 * @return the block name, without a leading slash
	 */
	public String getName() {
		return this.name;
	}

}
