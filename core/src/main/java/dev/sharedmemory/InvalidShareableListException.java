package dev.sharedmemory;

/**
 * Thrown when a block does not hold a valid {@link ShareableList}: on attach, when its
 * header or an item's format is not what CPython writes, or later, when another process
 * left an item's format or code invalid.
 */
public class InvalidShareableListException extends SharedMemoryException {

	private static final long serialVersionUID = 1L;

	/** The block's name. */
	private final String name;

	/**
	 * Creates an exception for the given block.
	 * @param name the block's name
	 * @param message what is wrong, naming the block
	 */
	public InvalidShareableListException(String name, String message) {
		super(message);
		this.name = name;
	}

	/**
	 * Returns the name of the block that holds no valid list.
	 * @return the block name, without a leading slash
	 */
	public String getName() {
		return this.name;
	}

}
