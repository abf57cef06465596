package dev.sharedmemory;

/**
 * An operation a {@link SharedMemoryManager} counts, by outcome, for metrics.
 */
public enum SharedMemoryOperation {

	/** A block created through the manager. */
	CREATE,

	/** A block attached to through the manager. */
	ATTACH,

	/** A block unlinked through the manager, one by one or at shutdown. */
	UNLINK,

	/** A handle the manager closed. */
	CLOSE

}
