package dev.sharedmemory.ndarray;

import dev.sharedmemory.SharedMemoryException;

/**
 * Thrown when a block does not hold a valid array: a {@code .npy} header that is damaged,
 * forged or of a dtype this library does not read, or a dtype, shape and offset that do
 * not fit the block. The message names the block and the fault.
 */
public class InvalidNDArrayException extends SharedMemoryException {

	private static final long serialVersionUID = 1L;

	private final String name;

	/**
	 * Creates an exception for the given block.
	 * @param name the block's name
	 * @param message what is wrong, naming the block
	 */
	public InvalidNDArrayException(String name, String message) {
		super(message);
		this.name = name;
	}

	/**
	 * Returns the name of the block that holds no valid array.
	 * @return the block name, without a leading slash
	 */
	public String getName() {
		return this.name;
	}

}
