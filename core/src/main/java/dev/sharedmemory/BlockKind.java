package dev.sharedmemory;

/**
 * What a managed block holds.
 */
public enum BlockKind {

	/** Raw bytes, created as a {@link SharedMemory}. */
	SHARED_MEMORY("SharedMemory"),

	/** A {@link ShareableList}. */
	SHAREABLE_LIST("ShareableList");

	private final String displayName;

	BlockKind(String displayName) {
		this.displayName = displayName;
	}

	/**
	 * Returns the name of the Java (and Python) type, as endpoints and logs show it.
	 * @return {@code SharedMemory} or {@code ShareableList}
	 */
	public String displayName() {
		return this.displayName;
	}

}
