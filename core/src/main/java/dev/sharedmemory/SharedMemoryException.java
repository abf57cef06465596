package dev.sharedmemory;

/**
 * Base of every error this library raises about a shared memory block; unchecked, and its
 * message always names the block it concerns.
 */
public class SharedMemoryException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with the given message.
	 * @param message what went wrong, naming the block
	 */
	public SharedMemoryException(String message) {
		super(message);
	}

	/**
	 * Creates an exception with the given message and cause.
	 * @param message what went wrong, naming the block
	 * @param cause the underlying I/O error
	 */
	public SharedMemoryException(String message, Throwable cause) {
		super(message, cause);
	}

}
