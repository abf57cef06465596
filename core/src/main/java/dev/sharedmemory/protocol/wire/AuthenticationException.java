package dev.sharedmemory.protocol.wire;

import dev.sharedmemory.protocol.ProtocolException;

/**
 * The peer did not prove that it holds the authkey, or refused our proof: Python's
 * {@code AuthenticationError}.
 */
public class AuthenticationException extends ProtocolException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with the given message.
	 * @param message why authentication failed
	 */
	public AuthenticationException(String message) {
		super(message);
	}

}
