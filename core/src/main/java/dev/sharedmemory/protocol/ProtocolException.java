package dev.sharedmemory.protocol;

import java.io.IOException;

/**
 * A peer broke CPython's manager protocol: a message too long or cut short, a handshake
 * that does not authenticate, a pickle outside the subset this library reads. The message
 * names what was wrong; the connection is not to be used further.
 */
public class ProtocolException extends IOException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with the given message.
	 * @param message what the peer did wrong
	 */
	public ProtocolException(String message) {
		super(message);
	}

}
