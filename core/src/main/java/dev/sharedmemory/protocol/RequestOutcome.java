package dev.sharedmemory.protocol;

/**
 * How a request to the manager server was answered, for its meters.
 */
public enum RequestOutcome {

	/** {@code #RETURN}: it did what was asked. */
	RETURNED,

	/** {@code #TRACEBACK}: it was refused or failed. */
	TRACEBACK

}
