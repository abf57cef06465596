package dev.sharedmemory;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One entry of a blocks' directory as a {@link DirectoryCensus} found it: what
 * {@code lstat(2)} says of it, and who manages it. A link is described, never followed.
 *
 * @param name the entry's name as this JVM decodes it (bytes that are not valid in its
 * file name encoding become U+FFFD); never interpreted, so it may hold any character but
 * {@code /} and NUL
 * @param rawName the name's bytes, percent-encoded, when {@code name} holds U+FFFD and so
 * may not be faithful; {@code null} otherwise
 * @param type what kind of file it is
 * @param size its apparent size in bytes, as {@code ls -l} shows it
 * @param allocatedBytes the memory it really holds, in bytes ({@code st_blocks} × 512): a
 * block created with {@code ftruncate} and never touched holds nothing; {@code null} if
 * it could not be read
 * @param uid the user id of its owner
 * @param user the name of its owner, or the user id if it has none
 * @param mode its permission bits, in octal, such as {@code 0600}
 * @param lastModified when its content last changed
 * @param category who manages it
 * @param owner for a block a manager's record names, that manager's process; {@code null}
 * otherwise
 */
public record DirectoryEntry(String name, @Nullable String rawName, Type type, long size, @Nullable Long allocatedBytes,
		int uid, String user, String mode, Instant lastModified, EntryCategory category, @Nullable Owner owner) {

	/**
	 * The kind of file an entry is.
	 */
	public enum Type {

		/** A regular file: what every block is. */
		REGULAR_FILE,

		/** A directory. */
		DIRECTORY,

		/** A symbolic link. */
		SYMBOLIC_LINK,

		/** A FIFO, a socket or a device. */
		OTHER

	}

	/**
	 * The process whose manager's record names a block.
	 *
	 * @param pid its process id, in its own pid namespace
	 * @param user the name of its user, as its record says
	 * @param samePidNamespace whether it ran in this process's pid namespace, so that its
	 * {@code pid} means the same here; {@code null} if its record does not say
	 * @param alive whether it still runs: {@code true} or {@code false} when its lock
	 * file or {@code /proc} tells, {@code null} when nothing can tell (a record without a
	 * lock file from another pid namespace)
	 */
	public record Owner(long pid, @Nullable String user, @Nullable Boolean samePidNamespace, @Nullable Boolean alive) {

	}

}
