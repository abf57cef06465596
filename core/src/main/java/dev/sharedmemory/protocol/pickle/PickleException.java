package dev.sharedmemory.protocol.pickle;

import dev.sharedmemory.protocol.ProtocolException;

/**
 * A pickle that {@link PickleDecoder} does not read: malformed, cut short, or outside the
 * subset; the message names the opcode and its offset.
 */
public class PickleException extends ProtocolException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with the given message.
	 * @param message what is wrong with the pickle, and where
	 */
	public PickleException(String message) {
		super(message);
	}

}
