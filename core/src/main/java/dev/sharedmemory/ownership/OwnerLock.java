package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The lock that says whether the owner of a record still runs, from any process and any
 * pid namespace that shares the directory: an exclusive record lock ({@code fcntl}, which
 * is what {@link FileChannel#lock()} takes on Linux) on a file of its own, which the
 * owner takes before it writes its record and holds while it lives. The kernel releases
 * it at any death ({@code SIGKILL}, the OOM killer, a killed container), so whoever can
 * take it knows the owner is gone.
 * <p>
 * Record locks belong to a process, not to a descriptor, and closing <em>any</em>
 * descriptor of a file releases every lock the process holds on it. Hence a file of its
 * own, never rewritten or renamed (the record is, when compacted), which only its owner
 * keeps open; and, within one JVM, every opening of a lock file goes through this class,
 * which remembers the files this JVM holds (by device and inode) and never opens one of
 * them again: a reclaimer beside a live manager in the same JVM takes its lock as held
 * without touching it. Code that opens a lock file behind this class's back in the
 * owner's JVM releases the lock, and nothing can prevent that.
 * <p>
 * An instance is a lock held; {@link #release()} lets go of it.
 */
final class OwnerLock {

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

	// Creating a lock file races only with a reclaimer that deletes it as a leftover: a
	// few tries are plenty.
	private static final int CREATE_ATTEMPTS = 5;

	// Guards every opening of a lock file in this JVM, and the locks held.
	private static final Object monitor = new Object();

	// The lock files this JVM holds, by file key (device and inode); the channels must
	// stay reachable, since a channel that is garbage collected is closed, and with it
	// the lock.
	private static final Map<Object, OwnerLock> held = new HashMap<>();

	private final Path file;

	private final Object key;

	private final FileChannel channel;

	private OwnerLock(Path file, Object key, FileChannel channel) {
		this.file = file;
		this.key = key;
		this.channel = channel;
	}

	/**
	 * Creates a lock file, mode {@code 0600}, and locks it for as long as this process
	 * lives or until released.
	 * @param file the file, which must not exist
	 * @return the lock, held
	 * @throws IOException if the file cannot be created or locked
	 */
	static OwnerLock create(Path file) throws IOException {
		synchronized (monitor) {
			for (int attempt = 1;; attempt++) {
				FileChannel channel = FileChannel.open(file,
						Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
						OWNER_ONLY);
				try {
					// Blocks only while a reclaimer of another process, which took the
					// new file for a leftover, has it; that one deletes it, so the file
					// must still be there once locked.
					channel.lock();
					Object key = fileKey(file);
					OwnerLock lock = new OwnerLock(file, key, channel);
					held.put(key, lock);
					return lock;
				}
				catch (NoSuchFileException ex) {
					channel.close();
					if (attempt == CREATE_ATTEMPTS) {
						throw ex;
					}
				}
				catch (IOException | RuntimeException ex) {
					channel.close();
					Files.deleteIfExists(file);
					throw ex;
				}
			}
		}
	}

	/**
	 * Takes the lock of a lock file if no live process holds it: its owner is then gone,
	 * and the caller holds the lock while it clears what the owner left, so that no other
	 * reclaimer does the same at once.
	 * @param file the lock file
	 * @return the lock, held; {@code null} if a process holds it (this one included)
	 * @throws NoSuchFileException if the file is gone
	 * @throws IOException if it cannot be opened or locked
	 */
	static @Nullable OwnerLock tryAcquire(Path file) throws IOException {
		synchronized (monitor) {
			Object key = fileKey(file);
			if (held.containsKey(key)) {
				// Held by this JVM: opening it, even only to close it again, would
				// release it.
				return null;
			}
			FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
					LinkOption.NOFOLLOW_LINKS);
			FileLock lock;
			try {
				lock = channel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				// Locked by code of this JVM that does not go through this class: alive,
				// as far as one can tell.
				lock = null;
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				throw ex;
			}
			if (lock == null) {
				channel.close();
				return null;
			}
			OwnerLock acquired = new OwnerLock(file, key, channel);
			held.put(key, acquired);
			return acquired;
		}
	}

	/**
	 * Returns the lock file.
	 */
	Path file() {
		return this.file;
	}

	/**
	 * Lets go of the lock; the file stays.
	 * @throws IOException if the file cannot be closed
	 */
	void release() throws IOException {
		synchronized (monitor) {
			if (held.get(this.key) == this) {
				held.remove(this.key);
				this.channel.close();
			}
		}
	}

	/**
	 * Deletes the lock file and then lets go of the lock: no process sees the file
	 * unlocked while it is there.
	 * @throws IOException if the file cannot be deleted or closed; the lock is released
	 * all the same
	 */
	void deleteAndRelease() throws IOException {
		try {
			Files.deleteIfExists(this.file);
		}
		finally {
			release();
		}
	}

	private static Object fileKey(Path file) throws IOException {
		Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
		if (key == null) {
			throw new IOException("No file key (device and inode) for " + file);
		}
		return key;
	}

	@Override
	public String toString() {
		return "OwnerLock[" + this.file + "]";
	}

}
