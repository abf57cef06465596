package dev.sharedmemory.ownership;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;

/**
 * Unlinks the blocks that {@link OwnerRecord records} of dead processes name, and only those: never a block of a live
 * owner, never a block no record names, never a file of another user, never a file that took a recorded name after
 * the block was gone (its inode or its size differs). Then removes the records it cleared.
 * <p>
 * The inode is what tells a block from a later file of the same name on a tmpfs, which numbers inodes from a counter
 * and never reuses a number (short of wrapping around 2^32 creations). A disk file system reuses the number of a
 * deleted file at once: in a directory on one, a block unlinked by another process of the same user and created again
 * under the same name and size before its owner died would be taken for the original.
 */
public final class OrphanReclaimer {

	private static final System.Logger logger = System.getLogger(OrphanReclaimer.class.getName());

	private static final int FILE_TYPE_MASK = 0170000;

	private static final int REGULAR_FILE = 0100000;

	private static final int MAX_NAMES_LOGGED = 100;

	private final Path directory;

	private final ProcessIdentity self;

	/**
	 * Creates a reclaimer for the given directory, judging owners from this process.
	 * @param directory the directory of the blocks and records
	 */
	public OrphanReclaimer(Path directory) {
		this(directory, ProcessIdentity.current());
	}

	OrphanReclaimer(Path directory, ProcessIdentity self) {
		this.directory = directory;
		this.self = self;
	}

	/**
	 * Reclaims the blocks of every dead owner's record in the directory. A record that cannot be read or a block that
	 * cannot be unlinked is logged and left for the next time.
	 * @return what was unlinked
	 * @throws SharedMemoryException if the directory cannot be listed
	 */
	public ReclaimedOrphans reclaim() {
		List<ReclaimedOrphans.Block> reclaimed = new ArrayList<>();
		int records = 0;
		for (Path record : records()) {
			try {
				if (reclaim(record, reclaimed)) {
					records++;
				}
			}
			catch (IOException ex) {
				logger.log(Level.WARNING, "Could not reclaim the shared memory blocks of owner record {0}: {1}",
						record, ex.toString());
			}
		}
		return new ReclaimedOrphans(reclaimed, records);
	}

	private List<Path> records() {
		List<Path> records = new ArrayList<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.directory, OwnerRecord.FILE_PREFIX + "*")) {
			entries.forEach(records::add);
		}
		catch (NoSuchFileException ex) {
			// No directory, no blocks to reclaim: creating one will say what is wrong.
		}
		catch (IOException ex) {
			throw new SharedMemoryException("Cannot look for orphaned shared memory blocks in " + this.directory
					+ ": " + ex.getMessage(), ex);
		}
		return records;
	}

	/**
	 * Reclaims the blocks of one record if its owner is gone.
	 * @return whether the record was cleared
	 */
	private boolean reclaim(Path record, List<ReclaimedOrphans.Block> reclaimed) throws IOException {
		if (!isOurRegularFile(attributes(record))) {
			return false;
		}
		OwnerRecord.Contents contents = OwnerRecord.read(record);
		ProcessIdentity owner = (contents != null) ? contents.owner()
				: OwnerRecord.ownerFromFileName(record.getFileName().toString(), this.self);
		if (owner == null || owner.isSameProcess(this.self)
				|| owner.livenessFrom(this.self) != ProcessIdentity.Liveness.GONE) {
			return false;
		}
		List<ReclaimedOrphans.Block> unlinked = new ArrayList<>();
		boolean complete = true;
		if (contents != null) {
			for (Map.Entry<String, OwnerRecord.Entry> block : contents.blocks().entrySet()) {
				complete &= reclaimBlock(block.getKey(), block.getValue(), owner, unlinked);
			}
		}
		if (complete) {
			Files.deleteIfExists(record);
		}
		if (!unlinked.isEmpty()) {
			log(owner, unlinked);
		}
		reclaimed.addAll(unlinked);
		return complete;
	}

	/**
	 * Unlinks one recorded block if the file of that name is still the block the owner created.
	 * @return {@code false} if it should be, but could not be, unlinked
	 */
	private boolean reclaimBlock(String name, OwnerRecord.Entry entry, ProcessIdentity owner,
			List<ReclaimedOrphans.Block> unlinked) {
		String checked;
		try {
			checked = SharedMemoryDirectory.checkName(name);
		}
		catch (IllegalArgumentException ex) {
			logger.log(Level.WARNING, "Owner record of process {0} in {1} names no valid block: {2}",
					String.valueOf(owner.pid()), this.directory, ex.getMessage());
			return true;
		}
		if (checked.startsWith(OwnerRecord.FILE_PREFIX)) {
			return true;
		}
		Path file = this.directory.resolve(checked);
		try {
			Map<String, Object> attributes = attributes(file);
			long size = ((Number) attributes.get("size")).longValue();
			// A block is recorded before its pages are written: one whose owner died while creating it is smaller.
			if (!isOurRegularFile(attributes) || ((Number) attributes.get("ino")).longValue() != entry.inode()
					|| size > entry.size()) {
				// Not the block the owner created: another user's file, or a block made under its name since.
				return true;
			}
			Files.delete(file);
			unlinked.add(new ReclaimedOrphans.Block(checked, size, owner.pid()));
			return true;
		}
		catch (NoSuchFileException ex) {
			// Unlinked already: by its owner before it died, by a worker, or by another instance reclaiming too.
			return true;
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Could not reclaim orphaned shared memory block ''{0}'' in {1}: {2}", checked,
					this.directory, ex.toString());
			return false;
		}
	}

	private boolean isOurRegularFile(Map<String, Object> attributes) {
		int mode = ((Number) attributes.get("mode")).intValue();
		int uid = ((Number) attributes.get("uid")).intValue();
		return (mode & FILE_TYPE_MASK) == REGULAR_FILE && uid == this.self.uid();
	}

	private static Map<String, Object> attributes(Path file) throws IOException {
		return Files.readAttributes(file, "unix:mode,uid,ino,size", LinkOption.NOFOLLOW_LINKS);
	}

	private void log(ProcessIdentity owner, List<ReclaimedOrphans.Block> unlinked) {
		long bytes = unlinked.stream().mapToLong(ReclaimedOrphans.Block::size).sum();
		String names = unlinked.stream()
			.limit(MAX_NAMES_LOGGED)
			.map((block) -> block.name() + " (" + block.size() + " bytes)")
			.collect(Collectors.joining(", "));
		if (unlinked.size() > MAX_NAMES_LOGGED) {
			names += " and " + (unlinked.size() - MAX_NAMES_LOGGED) + " more";
		}
		logger.log(Level.INFO, "Reclaimed {0} orphaned shared memory blocks ({1} bytes) in {2} left by process {3} "
				+ "(user {4}), which is gone: {5}", String.valueOf(unlinked.size()), String.valueOf(bytes), this.directory,
				String.valueOf(owner.pid()), owner.user(), names);
	}

}
