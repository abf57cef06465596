package dev.sharedmemory.protocol;

/**
 * How a connection to the manager server ended, for its meters.
 */
public enum ConnectionOutcome {

	/** Authenticated, and its request read and answered (whatever the answer). */
	ACCEPTED,

	/**
	 * Did not authenticate: a wrong authkey or a broken handshake. Nothing after the
	 * handshake was read.
	 */
	AUTHENTICATION_FAILED,

	/**
	 * Authenticated, but its request was not a valid manager request: too long, malformed
	 * or refused.
	 */
	BAD_REQUEST,

	/** Did not finish its exchange within the server's timeout. */
	TIMED_OUT,

	/**
	 * Closed at once: as many connections as
	 * {@link ManagerServerSettings#maxConnections()} allows were in their exchange.
	 */
	REJECTED

}
