package dev.sharedmemory.protocol;

import java.io.IOException;

/**
 * A manager answered a request with {@code #TRACEBACK}: what Python's client raises as
 * {@code RemoteError}.
 */
public class RemoteManagerException extends IOException {

	private static final long serialVersionUID = 1L;

	private final String traceback;

	/**
	 * Creates an exception for a traceback.
	 * @param method the method the request named
	 * @param traceback the traceback's text, as the manager sent it
	 */
	public RemoteManagerException(String method, String traceback) {
		super("The manager refused '" + method + "': " + lastLine(traceback));
		this.traceback = traceback;
	}

	/**
	 * Returns the whole traceback the manager sent.
	 * @return the text
	 */
	public String traceback() {
		return this.traceback;
	}

	private static String lastLine(String traceback) {
		String trimmed = traceback.strip();
		return trimmed.substring(trimmed.lastIndexOf('\n') + 1);
	}

}
