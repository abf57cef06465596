package dev.sharedmemory.ownership;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.DirectoryEntry;

/**
 * Lists a directory with what {@code lstat(2)} says of each entry (never following a
 * link), for a {@link DirectoryCensusTaker}.
 * <p>
 * One {@code find} process lists the directory and describes every entry in one pass:
 * each field ends with a NUL, the one byte no name holds, so names travel as raw bytes,
 * never quoted nor interpreted, and Java makes no system call per entry. The JDK alone
 * would need one {@code lstat(2)} per entry and could not read the allocated blocks
 * ({@code st_blocks}) at all. Where {@code find} cannot start (a distroless image), the
 * JDK lists the directory, and allocations are {@code null}; so it does where
 * {@code find} fails before listing anything (one without {@code -printf}) or prints what
 * is not its own format.
 * <p>
 * An entry that vanishes between {@code find}'s reading of the directory and its
 * {@code lstat(2)} is left out by {@code find}, which says so on its standard error, one
 * line per entry in the C locale: those lines are counted as skipped.
 */
final class DirectoryLister {

	private static final System.Logger logger = System.getLogger(DirectoryLister.class.getName());

	// Type, inode, 512-byte blocks, size, permission bits (octal), uid, mtime
	// (seconds.fraction), name. Not the user's name (%u): find looks it up for every
	// entry, which costs more than all the rest; the JVM looks it up once per user.
	private static final String FORMAT = "%y\\0%i\\0%b\\0%s\\0%m\\0%U\\0%T@\\0%f\\0";

	private static final int FIELDS = 8;

	// st_blocks counts 512-byte units whatever the file system's block size (stat(2)).
	private static final long STAT_BLOCK_SIZE = 512;

	private static final long FIND_TIMEOUT_SECONDS = 10;

	private static final int FILE_TYPE_MASK = 0170000;

	private static final int PERMISSION_MASK = 07777;

	// The JVM's file name encoding: a name decodes here as a Path's would.
	private static final Charset FILE_NAMES = fileNameCharset();

	private final Path directory;

	private final String find;

	private final Runnable whileListing;

	/**
	 * Creates a lister of the given directory.
	 * @param directory the directory
	 * @param find the {@code find} command
	 * @param whileListing run once the first entry is read, while {@code find} is still
	 * listing: a seam for tests of races
	 */
	DirectoryLister(Path directory, String find, Runnable whileListing) {
		this.directory = directory;
		this.find = find;
		this.whileListing = whileListing;
	}

	/**
	 * Lists the directory.
	 * @return every entry, as {@code lstat(2)} found it, and the number skipped
	 * @throws IOException if the directory cannot be listed
	 */
	Listing list() throws IOException {
		// Fails as the JDK would, with its message, when there is nothing to list.
		Files.newDirectoryStream(this.directory).close();
		Process process = startFind();
		return (process != null) ? readFind(process) : listWithJdk();
	}

	private @Nullable Process startFind() {
		ProcessBuilder builder = new ProcessBuilder(this.find, "-H", this.directory.toString(), "-mindepth", "1",
				"-maxdepth", "1", "-printf", FORMAT)
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		// One line per error, names escaped, whatever the user's locale.
		builder.environment().put("LC_ALL", "C");
		try {
			return builder.start();
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Cannot start find, listing without allocated blocks: {0}", ex.getMessage());
			return null;
		}
	}

	private Listing readFind(Process process) throws IOException {
		AtomicInteger errors = new AtomicInteger();
		Thread errorReader = new Thread(() -> countLines(process.getErrorStream(), errors),
				"shared-memory-census-errors");
		errorReader.setDaemon(true);
		errorReader.start();
		List<Stat> entries = new ArrayList<>();
		try (InputStream output = process.getInputStream()) {
			FieldReader reader = new FieldReader(output);
			Map<Integer, String> users = new HashMap<>();
			byte[][] fields = new byte[FIELDS][];
			int[] lengths = new int[FIELDS];
			while (reader.read(fields, lengths)) {
				entries.add(stat(fields, lengths, users));
				if (entries.size() == 1) {
					this.whileListing.run();
				}
			}
			boolean finished = process.waitFor(FIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			if (!finished) {
				process.destroyForcibly();
			}
			errorReader.join(TimeUnit.SECONDS.toMillis(FIND_TIMEOUT_SECONDS));
			if (entries.isEmpty() && (!finished || process.exitValue() != 0)) {
				// Not GNU find (BusyBox's has no -printf): it failed before listing.
				logger.log(Level.DEBUG, "find listed nothing and failed, listing without allocated blocks");
				return listWithJdk();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
		catch (IOException | RuntimeException ex) {
			process.destroyForcibly();
			logger.log(Level.DEBUG, "Cannot read find's output, listing without allocated blocks: {0}",
					ex.getClass().getName());
			return listWithJdk();
		}
		return new Listing(entries, errors.get());
	}

	private static void countLines(InputStream errors, AtomicInteger lines) {
		try (errors) {
			byte[] buffer = new byte[4096];
			for (int read = errors.read(buffer); read >= 0; read = errors.read(buffer)) {
				for (int i = 0; i < read; i++) {
					if (buffer[i] == '\n') {
						lines.incrementAndGet();
					}
				}
			}
		}
		catch (IOException ex) {
			// The process went away: what was counted stands.
		}
	}

	private Stat stat(byte[][] fields, int[] lengths, Map<Integer, String> users) {
		int uid = (int) parseLong(fields[5], lengths[5], 10);
		String name = new String(fields[7], 0, lengths[7], FILE_NAMES);
		String rawName = rawName(name, fields[7], lengths[7]);
		String user = users.get(uid);
		if (user == null) {
			user = userName((rawName != null) ? null : this.directory.resolve(name), uid);
			users.put(uid, user);
		}
		return new Stat(name, rawName, type(fields[0][0]), parseLong(fields[1], lengths[1], 10),
				parseLong(fields[2], lengths[2], 10) * STAT_BLOCK_SIZE, parseLong(fields[3], lengths[3], 10),
				(int) parseLong(fields[4], lengths[4], 8), uid, user, instant(fields[6], lengths[6]));
	}

	private static DirectoryEntry.Type type(byte type) {
		return switch (type) {
			case 'f' -> DirectoryEntry.Type.REGULAR_FILE;
			case 'd' -> DirectoryEntry.Type.DIRECTORY;
			case 'l' -> DirectoryEntry.Type.SYMBOLIC_LINK;
			default -> DirectoryEntry.Type.OTHER;
		};
	}

	private static long parseLong(byte[] field, int length, int radix) {
		if (length == 0) {
			throw new NumberFormatException("Empty number");
		}
		long value = 0;
		for (int i = 0; i < length; i++) {
			int digit = Character.digit(field[i], radix);
			if (digit < 0) {
				throw new NumberFormatException("Not a number in base " + radix);
			}
			value = Math.addExact(Math.multiplyExact(value, radix), digit);
		}
		return value;
	}

	/**
	 * Parses {@code find}'s {@code %T@}: whole seconds since the epoch, rounded down,
	 * then a fraction of up to ten digits, such as {@code 1764680000.1234567890}; before
	 * the epoch the seconds are negative and the fraction still counts forwards
	 * ({@code -2.2500000010} is 1.749999999 s before it).
	 */
	private static Instant instant(byte[] field, int length) {
		boolean negative = length > 0 && field[0] == '-';
		int point = negative ? 1 : 0;
		long seconds = 0;
		for (; point < length && field[point] != '.'; point++) {
			seconds = Math.addExact(Math.multiplyExact(seconds, 10), digit(field[point]));
		}
		long nanos = 0;
		for (int i = 1; i <= 9; i++) {
			nanos = nanos * 10 + ((point + i < length) ? digit(field[point + i]) : 0);
		}
		return Instant.ofEpochSecond(negative ? -seconds : seconds, nanos);
	}

	private static int digit(byte b) {
		int digit = Character.digit(b, 10);
		if (digit < 0) {
			throw new NumberFormatException("Not a decimal digit");
		}
		return digit;
	}

	/**
	 * Returns the name's bytes, percent-encoded as a URI's path would hold them, when the
	 * decoded name may not be faithful (it holds U+FFFD).
	 */
	private static @Nullable String rawName(String name, byte[] bytes, int length) {
		if (name.indexOf('\uFFFD') < 0) {
			return null;
		}
		StringBuilder raw = new StringBuilder(length * 3);
		for (int i = 0; i < length; i++) {
			int b = bytes[i] & 0xff;
			if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || "-._~".indexOf(b) >= 0) {
				raw.append((char) b);
			}
			else {
				raw.append('%')
					.append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
					.append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
			}
		}
		return raw.toString();
	}

	/**
	 * Lists the directory with the JDK: one {@code lstat(2)} per entry, no allocation.
	 */
	private Listing listWithJdk() throws IOException {
		List<Stat> entries = new ArrayList<>();
		Map<Integer, String> users = new HashMap<>();
		int skipped = 0;
		try (DirectoryStream<Path> listed = Files.newDirectoryStream(this.directory)) {
			for (Path entry : listed) {
				try {
					entries.add(stat(entry, users));
				}
				catch (IOException ex) {
					// Vanished since listed, or unreadable: counted, never guessed at.
					skipped++;
				}
			}
		}
		return new Listing(entries, skipped);
	}

	private static Stat stat(Path entry, Map<Integer, String> users) throws IOException {
		Map<String, Object> attributes = Files.readAttributes(entry, "unix:mode,uid,ino,size,lastModifiedTime",
				LinkOption.NOFOLLOW_LINKS);
		int mode = ((Number) attributes.get("mode")).intValue();
		int uid = ((Number) attributes.get("uid")).intValue();
		String name = entry.getFileName().toString();
		String user = users.computeIfAbsent(uid, (id) -> userName(entry, id));
		DirectoryEntry.Type type = switch (mode & FILE_TYPE_MASK) {
			case 0100000 -> DirectoryEntry.Type.REGULAR_FILE;
			case 0040000 -> DirectoryEntry.Type.DIRECTORY;
			case 0120000 -> DirectoryEntry.Type.SYMBOLIC_LINK;
			default -> DirectoryEntry.Type.OTHER;
		};
		String raw = null;
		if (name.indexOf('\uFFFD') >= 0) {
			String uri = entry.toUri().getRawPath();
			uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
			raw = uri.substring(uri.lastIndexOf('/') + 1);
		}
		return new Stat(name, raw, type, ((Number) attributes.get("ino")).longValue(), null,
				((Number) attributes.get("size")).longValue(), mode & PERMISSION_MASK, uid, user,
				((FileTime) attributes.get("lastModifiedTime")).toInstant());
	}

	/**
	 * Returns the name of an entry's owner, the user id if it has none, or if the entry
	 * (one whose name did not decode, or that has gone since) cannot tell.
	 */
	private static String userName(@Nullable Path entry, int uid) {
		if (entry != null) {
			try {
				return Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName();
			}
			catch (IOException ex) {
				// Gone since listed: the user id says as much.
			}
		}
		return Integer.toString(uid);
	}

	private static Charset fileNameCharset() {
		try {
			return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
		}
		catch (RuntimeException ex) {
			return StandardCharsets.UTF_8;
		}
	}

	/**
	 * Reads NUL-terminated fields, a record at a time.
	 */
	private static final class FieldReader {

		private final InputStream input;

		private final byte[] buffer = new byte[32 * 1024];

		private int position;

		private int limit;

		FieldReader(InputStream input) {
			this.input = input;
		}

		/**
		 * Reads the next record's fields into the given arrays, growing them as needed.
		 * @return {@code false} at the end of the output (a partial last record is
		 * dropped)
		 */
		boolean read(byte[][] fields, int[] lengths) throws IOException {
			for (int i = 0; i < fields.length; i++) {
				if (fields[i] == null) {
					fields[i] = new byte[64];
				}
				int length = 0;
				while (true) {
					if (this.position == this.limit) {
						this.limit = this.input.read(this.buffer);
						this.position = 0;
						if (this.limit < 0) {
							this.limit = 0;
							return false;
						}
					}
					byte b = this.buffer[this.position++];
					if (b == 0) {
						break;
					}
					if (length == fields[i].length) {
						fields[i] = Arrays.copyOf(fields[i], length * 2);
					}
					fields[i][length++] = b;
				}
				lengths[i] = length;
			}
			return true;
		}

	}

	/**
	 * A directory's entries and how many were skipped.
	 *
	 * @param entries the entries, in the directory's order
	 * @param skipped the entries that vanished (or could not be read) between the listing
	 * and their {@code lstat(2)}
	 */
	record Listing(List<Stat> entries, int skipped) {

	}

	/**
	 * One entry, as {@code lstat(2)} described it.
	 *
	 * @param name the name, decoded as the JVM decodes file names
	 * @param rawName the name's bytes, percent-encoded, when {@code name} holds U+FFFD
	 * @param type the kind of file
	 * @param inode the inode number
	 * @param allocatedBytes the bytes allocated, or {@code null} if unknown
	 * @param size the apparent size
	 * @param permissions the permission bits
	 * @param uid the owner's user id
	 * @param user the owner's name, or the user id if it has none
	 * @param lastModified the last modification
	 */
	record Stat(String name, @Nullable String rawName, DirectoryEntry.Type type, long inode,
			@Nullable Long allocatedBytes, long size, int permissions, int uid, String user, Instant lastModified) {

	}

}
