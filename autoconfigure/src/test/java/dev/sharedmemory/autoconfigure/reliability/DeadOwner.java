package dev.sharedmemory.autoconfigure.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.ownership.OwnerRecord;

/**
 * Leaves blocks in a directory as a process killed with {@code SIGKILL} would have: the
 * blocks, and the owner record its manager kept of them, in the format
 * {@code SharedMemoryManager} documents, naming a process id that can never exist (above
 * {@code PID_MAX_LIMIT}).
 */
public final class DeadOwner {

	/** The process id of the dead owner: above {@code PID_MAX_LIMIT}. */
	public static final long PID = (1L << 22) + 7;

	private DeadOwner() {
	}

	/**
	 * Creates blocks of the given sizes and a dead owner's record of them.
	 * @param directory where
	 * @param prefix the prefix of the blocks' names
	 * @param sizes their sizes
	 * @return their names
	 */
	public static List<String> leaveBlocks(Path directory, String prefix, long... sizes) throws IOException {
		SharedMemoryDirectory blocks = SharedMemoryDirectory.of(directory);
		StringBuilder record = new StringBuilder("shared-memory owner record 1\n").append("pid ")
			.append(PID)
			.append("\nstart 1\nboot ")
			.append(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim())
			.append("\npidns ")
			.append(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")))
			.append("\nuid ")
			.append(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
			.append("\nuser ghost\n");
		List<String> names = new ArrayList<>();
		for (int i = 0; i < sizes.length; i++) {
			String name = prefix + i;
			blocks.create(name, sizes[i]).close();
			Object inode = Files.getAttribute(directory.resolve(name), "unix:ino", LinkOption.NOFOLLOW_LINKS);
			record.append("+ ").append(name).append(' ').append(sizes[i]).append(' ').append(inode).append('\n');
			names.add(name);
		}
		String recordName = OwnerRecord.FILE_PREFIX + PID + "-1-" + Integer.toHexString(prefix.hashCode());
		Files.writeString(directory.resolve(recordName), record, StandardCharsets.US_ASCII);
		return names;
	}

}
