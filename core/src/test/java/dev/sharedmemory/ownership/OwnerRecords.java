package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
	 * Tells whether a reclaim after the record's owner died would unlink a block, as the
	 * reclaimer judges it: the record names it, and the file is still the one recorded
	 * (this user's regular file, of the recorded inode, no larger than recorded).
	 * @param record the file of the record
	 * @param block the block's file
	 * @return whether it would be unlinked
	 * @throws IOException if the record or the block cannot be read
	 */
	public static boolean reclaims(Path record, Path block) throws IOException {
		OwnerRecord.Contents contents = OwnerRecord.read(record);
		OwnerRecord.Entry entry = (contents != null) ? contents.blocks().get(block.getFileName().toString()) : null;
		return entry != null && new OrphanReclaimer(block.getParent())
			.isRecordedBlock(Files.readAttributes(block, "unix:mode,uid,ino,size", LinkOption.NOFOLLOW_LINKS), entry);
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
