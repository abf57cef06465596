package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Reads owner records for tests outside this package, with the production reader.
 */
public final class OwnerRecords {

	private OwnerRecords() {
	}

	/**
	 * Returns the names of the blocks a record names now.
	 * @param record the file of the record
	 * @return the names
	 * @throws IOException if it cannot be read
	 */
	public static Set<String> blockNames(Path record) throws IOException {
		OwnerRecord.Contents contents = OwnerRecord.read(record);
		return (contents != null) ? Set.copyOf(contents.blocks().keySet()) : Set.of();
	}

	/**
	 * Returns the lock file of a record's owner.
	 * @param record the file of the record
	 * @return the lock file beside it
	 */
	public static Path lockFile(Path record) {
		return record.resolveSibling(OwnerRecord.lockFileName(record.getFileName().toString()));
	}

}
