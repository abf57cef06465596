package dev.sharedmemory;

/**
 * Who manages an entry of a blocks' directory, as a {@link DirectoryCensus} finds it.
 */
public enum EntryCategory {

	/** A block a manager of this process created and tracks. */
	APPLICATION("application"),

	/**
	 * A block a manager of another live process created, or one whose liveness this
	 * process cannot tell.
	 */
	OTHER_MANAGER("other-manager"),

	/**
	 * A block a manager of a process that is gone created:
	 * {@link SharedMemoryManager#reclaimOrphans()} unlinks it.
	 */
	ORPHANED("orphaned"),

	/** A block no manager's record names: Python's, or one created without a manager. */
	UNMANAGED("unmanaged"),

	/**
	 * A manager's owner record, its temporary file or its lock file: the library's
	 * bookkeeping, not a block.
	 */
	BOOKKEEPING("bookkeeping"),

	/**
	 * A directory, a symbolic link or another entry that is not a regular file: never a
	 * block, never followed.
	 */
	NOT_A_BLOCK("not-a-block");

	private final String displayName;

	EntryCategory(String displayName) {
		this.displayName = displayName;
	}

	/**
	 * Returns the category's name as endpoints show it and meters are tagged with it.
	 * @return a lower-case, hyphenated name, such as {@code other-manager}
	 */
	public String displayName() {
		return this.displayName;
	}

	/**
	 * Tells whether entries of this category are blocks.
	 * @return {@code true} for the application's, other managers', orphaned and unmanaged
	 * blocks
	 */
	public boolean isBlock() {
		return this != BOOKKEEPING && this != NOT_A_BLOCK;
	}

}
