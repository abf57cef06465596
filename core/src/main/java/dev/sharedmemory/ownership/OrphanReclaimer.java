package dev.sharedmemory.ownership;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;

/**
 * Unlinks the blocks that {@link OwnerRecord records} of dead processes name, and only
 * those: never a block of a live owner, never a block no record names, never a file of
 * another user, never a file that took a recorded name after the block was gone (its
 * inode or its size differs). Then removes the records it cleared, and their lock files.
 * <p>
 * An owner is dead when its lock file is free ({@link OwnerLock}), whatever pid namespace
 * it ran in: a container restarted on the same tmpfs reclaims what its previous run left.
 * A record without a lock file (written before there were any) is judged by its process
 * id and start time, and left alone if it comes from another pid namespace.
 * <p>
 * The inode is what tells a block from a later file of the same name on a tmpfs, which
 * numbers inodes from a counter and never reuses a number (short of wrapping around 2^32
 * creations). A disk file system reuses the number of a deleted file at once: in a
 * directory on one, a block unlinked by another process of the same user and created
 * again under the same name and size before its owner died would be taken for the
 * original.
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
	 * Reclaims the blocks of every dead owner's record in the directory. A record that
	 * cannot be read or a block that cannot be unlinked is logged and left for the next
	 * time.
	 * @return what was unlinked
	 * @throws SharedMemoryException if the directory cannot be listed
	 */
	public ReclaimedOrphans reclaim() {
		List<ReclaimedOrphans.Block> reclaimed = new ArrayList<>();
		int records = 0;
		for (OwnerFiles owner : owners()) {
			try {
				records += reclaim(owner, reclaimed);
			}
			catch (IOException ex) {
				logger.log(Level.WARNING, "Could not reclaim the shared memory blocks of owner {0} in {1}: {2}",
						owner.key, this.directory, ex.toString());
			}
		}
		return new ReclaimedOrphans(reclaimed, records);
	}

	/**
	 * Lists the owners' files in the directory, by owner: records (and their temporary
	 * files) and lock files.
	 */
	private Collection<OwnerFiles> owners() {
		Map<String, OwnerFiles> owners = new TreeMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.directory)) {
			for (Path entry : entries) {
				// Ignores every name that is not an owner's.
				OwnerFiles.add(owners, entry);
			}
		}
		catch (NoSuchFileException ex) {
			// No directory, no blocks to reclaim: creating one will say what is wrong.
		}
		catch (IOException ex) {
			throw new SharedMemoryException(
					"Cannot look for orphaned shared memory blocks in " + this.directory + ": " + ex.getMessage(), ex);
		}
		return owners.values();
	}

	/**
	 * Reclaims the blocks of one owner if it is gone.
	 * @return the number of record files cleared
	 */
	private int reclaim(OwnerFiles files, List<ReclaimedOrphans.Block> reclaimed) throws IOException {
		try (Judgement judgement = judge(files)) {
			return (judgement.liveness() == ProcessIdentity.Liveness.GONE) ? clear(judgement, reclaimed) : 0;
		}
	}

	/**
	 * Judges one owner: gone when its lock file is free (whatever its pid namespace), or,
	 * for a record without one, when its process is gone from this pid namespace; not
	 * this process's to judge when one of its files is another user's. The lock, once
	 * taken, is held until the judgement is closed, so that no other reclaimer clears the
	 * owner's files at once.
	 */
	Judgement judge(OwnerFiles files) throws IOException {
		for (Path record : files.records) {
			Map<String, Object> attributes = attributesIfExists(record);
			if (attributes != null && !isOurRegularFile(attributes)) {
				// Another user's file, or a link: not this user's owner to judge.
				return new Judgement(null, Map.of(), List.of(), null, ProcessIdentity.Liveness.UNKNOWN);
			}
		}
		OwnerLock lock = null;
		Map<String, Object> lockAttributes = (files.lock != null) ? attributesIfExists(files.lock) : null;
		boolean held = false;
		if (files.lock != null && lockAttributes != null && isOurRegularFile(lockAttributes)) {
			try {
				lock = OwnerLock.tryAcquire(files.lock);
			}
			catch (NoSuchFileException ex) {
				// Cleared since listed, by another reclaimer.
				return new Judgement(null, Map.of(), List.of(), null, ProcessIdentity.Liveness.UNKNOWN);
			}
			// Held by a live owner, in whatever pid namespace, when it cannot be taken.
			held = lock == null;
		}
		Map<Path, OwnerRecord.Contents> contents = new LinkedHashMap<>();
		List<Path> records = new ArrayList<>();
		for (Path record : files.records) {
			try {
				OwnerRecord.Contents read = OwnerRecord.read(record);
				if (read != null) {
					contents.put(record, read);
				}
				records.add(record);
			}
			catch (NoSuchFileException ex) {
				// Removed since listed: by its owner, or by another reclaimer.
			}
		}
		ProcessIdentity owner = contents.values()
			.stream()
			.map(OwnerRecord.Contents::owner)
			.findFirst()
			.orElseGet(() -> OwnerRecord.ownerFromFileName(OwnerRecord.LOCK_PREFIX + files.key, this.self));
		ProcessIdentity.Liveness liveness;
		if (held) {
			liveness = ProcessIdentity.Liveness.ALIVE;
		}
		else if (lock != null) {
			liveness = ProcessIdentity.Liveness.GONE;
		}
		else if (records.isEmpty() || owner == null) {
			liveness = ProcessIdentity.Liveness.UNKNOWN;
		}
		else if (owner.isSameProcess(this.self)) {
			liveness = ProcessIdentity.Liveness.ALIVE;
		}
		else {
			liveness = owner.livenessFrom(this.self);
		}
		return new Judgement(owner, contents, records, lock, liveness);
	}

	private int clear(Judgement judgement, List<ReclaimedOrphans.Block> reclaimed) throws IOException {
		List<ReclaimedOrphans.Block> unlinked = new ArrayList<>();
		boolean complete = true;
		for (OwnerRecord.Contents record : judgement.contents().values()) {
			for (Map.Entry<String, OwnerRecord.Entry> block : record.blocks().entrySet()) {
				complete &= reclaimBlock(block.getKey(), block.getValue(), record.owner(), unlinked);
			}
		}
		int cleared = 0;
		if (complete) {
			for (Path record : judgement.records()) {
				if (Files.deleteIfExists(record)) {
					cleared++;
				}
			}
			if (judgement.lock() != null) {
				// Last: a record is never seen without its lock by anyone who could take
				// it.
				judgement.lock().deleteAndRelease();
			}
		}
		if (!unlinked.isEmpty() && judgement.owner() != null) {
			log(judgement.owner(), unlinked);
		}
		reclaimed.addAll(unlinked);
		return cleared;
	}

	/**
	 * Unlinks one recorded block if the file of that name is still the block the owner
	 * created.
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
		if (OwnerRecord.isOwnerFile(checked)) {
			return true;
		}
		Path file = this.directory.resolve(checked);
		try {
			Map<String, Object> attributes = attributes(file);
			long size = ((Number) attributes.get("size")).longValue();
			if (!isRecordedBlock(attributes, entry)) {
				// Not the block the owner created: another user's file, or a block made
				// under its name since.
				return true;
			}
			Files.delete(file);
			unlinked.add(new ReclaimedOrphans.Block(checked, size, owner.pid()));
			return true;
		}
		catch (NoSuchFileException ex) {
			// Unlinked already: by its owner before it died, by a worker, or by another
			// instance reclaiming too.
			return true;
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Could not reclaim orphaned shared memory block ''{0}'' in {1}: {2}", checked,
					this.directory, ex.toString());
			return false;
		}
	}

	/**
	 * Tells whether a file, as {@code lstat(2)} describes it (mode, uid, ino and size),
	 * is the block a record names: this user's regular file, of the recorded inode, no
	 * larger than recorded (a block is recorded before its pages are written: one whose
	 * owner died while creating it is smaller).
	 */
	boolean isRecordedBlock(Map<String, Object> attributes, OwnerRecord.Entry entry) {
		return isOurRegularFile(attributes) && isRecordedBlock(((Number) attributes.get("ino")).longValue(),
				((Number) attributes.get("size")).longValue(), entry);
	}

	/**
	 * Tells whether a regular file of this user, of the given inode and size, is the
	 * block a record names.
	 */
	boolean isRecordedBlock(long inode, long size, OwnerRecord.Entry entry) {
		return inode == entry.inode() && size <= entry.size();
	}

	/**
	 * Tells whether a file's owner is this process's user.
	 */
	boolean isOurs(int uid) {
		return uid == this.self.uid();
	}

	private boolean isOurRegularFile(Map<String, Object> attributes) {
		int mode = ((Number) attributes.get("mode")).intValue();
		int uid = ((Number) attributes.get("uid")).intValue();
		return (mode & FILE_TYPE_MASK) == REGULAR_FILE && isOurs(uid);
	}

	private static Map<String, Object> attributes(Path file) throws IOException {
		return Files.readAttributes(file, "unix:mode,uid,ino,size", LinkOption.NOFOLLOW_LINKS);
	}

	private static @Nullable Map<String, Object> attributesIfExists(Path file) throws IOException {
		try {
			return attributes(file);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
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
		logger.log(Level.INFO,
				"Reclaimed {0} orphaned shared memory blocks ({1} bytes) in {2} left by process {3} "
						+ "(user {4}), which is gone: {5}",
				String.valueOf(unlinked.size()), String.valueOf(bytes), this.directory, String.valueOf(owner.pid()),
				owner.user(), names);
	}

	/**
	 * The files of one owner in the directory, as listed.
	 */
	static final class OwnerFiles {

		final String key;

		// The record and, if its owner died while rewriting it, the record's temporary
		// file.
		final List<Path> records = new ArrayList<>(2);

		@Nullable Path lock;

		OwnerFiles(String key) {
			this.key = key;
		}

		/**
		 * Adds an owner's file to its owner's files; any other file is ignored.
		 */
		static void add(Map<String, OwnerFiles> owners, Path entry) {
			String name = entry.getFileName().toString();
			String key = OwnerRecord.ownerKey(name);
			if (key == null) {
				return;
			}
			OwnerFiles owner = owners.computeIfAbsent(key, OwnerFiles::new);
			if (name.startsWith(OwnerRecord.FILE_PREFIX)) {
				owner.records.add(entry);
			}
			else if (name.equals(OwnerRecord.LOCK_PREFIX + owner.key)) {
				owner.lock = entry;
			}
		}

	}

	/**
	 * An owner, judged: who it is, what its records say, whether it is gone, and the lock
	 * taken to find out, held until closed.
	 *
	 * @param owner the owner's process, or {@code null} if neither its records nor its
	 * files' names say
	 * @param contents what each of its records says
	 * @param records its record files that were there
	 * @param lock its lock, when it was free and so taken
	 * @param liveness whether it is gone; {@code UNKNOWN} when it is not this process's
	 * to judge
	 */
	record Judgement(@Nullable ProcessIdentity owner, Map<Path, OwnerRecord.Contents> contents, List<Path> records,
			@Nullable OwnerLock lock, ProcessIdentity.Liveness liveness) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			if (this.lock != null) {
				this.lock.release();
			}
		}

	}

}
