package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.SharedMemoryException;

/**
 * Who a process is, in the terms Linux gives: enough to tell, later and from another
 * process, whether it still runs. A process id alone is not: ids are reused, so the
 * process's start time (field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot)
 * goes with it, and the boot and the pid namespace say which clock and which ids they
 * are.
 *
 * @param pid the process id
 * @param startTime the start time, in clock ticks since boot
 * @param bootId the kernel's boot id, or {@code null} if it cannot be read
 * @param pidNamespace the pid namespace, as {@code /proc/<pid>/ns/pid} names it, or
 * {@code null} if it cannot be read
 * @param uid the user id the process creates files as
 * @param user the user's name
 */
record ProcessIdentity(long pid, long startTime, @Nullable String bootId, @Nullable String pidNamespace, int uid,
		@Nullable String user) {

	private static final Path PROC = Path.of("/proc");

	private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

	// Fields of /proc/<pid>/stat, counted from 1, after the command name (field 2), which
	// may hold spaces.
	private static final int STATE_FIELD = 3;

	private static final int START_TIME_FIELD = 22;

	private static volatile @Nullable ProcessIdentity current;

	/**
	 * What a recorded owner is now, seen from this process.
	 */
	enum Liveness {

		/** The process runs: the same id, started at the same time, in this boot. */
		ALIVE,

		/**
		 * The process is gone: no such id, another process under it, a zombie, or an
		 * earlier boot.
		 */
		GONE,

		/**
		 * Cannot tell: it ran in another pid namespace, or {@code /proc} would not say.
		 */
		UNKNOWN

	}

	/**
	 * Returns the identity of this JVM's process; read once.
	 * @throws SharedMemoryException if {@code /proc} cannot be read
	 */
	static ProcessIdentity current() {
		ProcessIdentity identity = current;
		if (identity == null) {
			identity = of(ProcessHandle.current().pid(), System.getProperty("user.name"));
			current = identity;
		}
		return identity;
	}

	/**
	 * Reads the identity of a running process.
	 * @param pid its id
	 * @param user the name of its user, as recorded
	 * @throws SharedMemoryException if there is no such process or {@code /proc} cannot
	 * be read
	 */
	static ProcessIdentity of(long pid, String user) {
		try {
			String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
			long startTime = Long.parseLong(field(stat, START_TIME_FIELD));
			return new ProcessIdentity(pid, startTime, readBootId(), readPidNamespace(pid), fileSystemUid(pid), user);
		}
		catch (IOException | RuntimeException ex) {
			throw new SharedMemoryException("Cannot read the identity of process " + pid + " from /proc: " + ex, ex);
		}
	}

	/**
	 * Tells whether the process this identity describes still runs, as seen from the
	 * given process.
	 * @param observer the process asking, for its boot and pid namespace
	 */
	Liveness livenessFrom(ProcessIdentity observer) {
		if (this.bootId != null && observer.bootId != null && !this.bootId.equals(observer.bootId)) {
			// A record from an earlier boot in a directory that is not a tmpfs: its owner
			// died with that boot.
			return Liveness.GONE;
		}
		if (this.pidNamespace == null || !this.pidNamespace.equals(observer.pidNamespace)) {
			// Its pid means another process here (a container sharing the directory): it
			// is not ours to judge.
			return Liveness.UNKNOWN;
		}
		String stat;
		try {
			stat = Files.readString(PROC.resolve(Long.toString(this.pid)).resolve("stat"), StandardCharsets.UTF_8);
		}
		catch (NoSuchFileException ex) {
			return Liveness.GONE;
		}
		catch (IOException ex) {
			return Liveness.UNKNOWN;
		}
		try {
			if (Long.parseLong(field(stat, START_TIME_FIELD)) != this.startTime) {
				return Liveness.GONE;
			}
			String state = field(stat, STATE_FIELD);
			// A zombie has released its memory and will never run again; it waits only
			// for its parent.
			return (state.equals("Z") || state.equals("X")) ? Liveness.GONE : Liveness.ALIVE;
		}
		catch (RuntimeException ex) {
			return Liveness.UNKNOWN;
		}
	}

	/**
	 * Tells whether this is the same process as the other: the same id started at the
	 * same time in the same boot.
	 */
	boolean isSameProcess(ProcessIdentity other) {
		return this.pid == other.pid && this.startTime == other.startTime && Objects.equals(this.bootId, other.bootId);
	}

	/**
	 * Returns a field of {@code /proc/<pid>/stat}, counted from 1 as {@code proc(5)}
	 * does.
	 */
	static String field(String stat, int field) {
		int commandEnd = stat.lastIndexOf(')');
		if (commandEnd < 0 || field < STATE_FIELD) {
			throw new IllegalArgumentException("Not a /proc/<pid>/stat line: " + stat);
		}
		String[] fields = stat.substring(commandEnd + 1).trim().split(" ");
		return fields[field - STATE_FIELD];
	}

	private static @Nullable String readBootId() {
		try {
			return Files.readString(BOOT_ID, StandardCharsets.US_ASCII).trim();
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static @Nullable String readPidNamespace(long pid) {
		try {
			return Files.readSymbolicLink(PROC.resolve(Long.toString(pid)).resolve("ns").resolve("pid")).toString();
		}
		catch (IOException | UnsupportedOperationException ex) {
			return null;
		}
	}

	/**
	 * Reads the user id files are created as: the fourth of the {@code Uid:} line of
	 * {@code /proc/<pid>/status}.
	 */
	private static int fileSystemUid(long pid) throws IOException {
		List<String> status = Files.readAllLines(PROC.resolve(Long.toString(pid)).resolve("status"),
				StandardCharsets.UTF_8);
		for (String line : status) {
			if (line.startsWith("Uid:")) {
				String[] ids = line.substring(4).trim().split("\\s+");
				return Integer.parseInt(ids[3]);
			}
		}
		throw new IOException("no Uid line in /proc/" + pid + "/status");
	}

}
