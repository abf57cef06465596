package dev.sharedmemory;

/**
 * What a managed block holds.
 */
public enum BlockKind {

	/** Raw bytes, created as a {@link SharedMemory}. */
	SHARED_MEMORY("SharedMemory"),

	/** A {@link ShareableList}. */
	SHAREABLE_LIST("ShareableList"),

	/**
	 * A typed array in numpy's {@code .npy} layout, an
	 * {@link dev.sharedmemory.ndarray.NDArray}.
	 */
	NDARRAY("NDArray");

	private final String displayName;

	BlockKind(String displayName) {
		this.displayName = displayName;
	}

	/**
	 * Returns the name of the Java (and Python) type, as endpoints and logs show it.
	 * @return {@code SharedMemory}, {@code ShareableList} or {@code NDArray}
	 */
	public String displayName() {
		return this.displayName;
	}

}
