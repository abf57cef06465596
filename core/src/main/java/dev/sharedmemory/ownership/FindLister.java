package dev.sharedmemory.ownership;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Lists a directory with {@code find}, which lists it and describes every entry in one
 * pass. Each field ends with a NUL, the one byte no name holds, so names travel as raw
 * bytes, never quoted nor interpreted, and Java makes no system call per entry. It cannot
 * list where {@code find} cannot start (a distroless image), fails before listing
 * anything (one without {@code -printf}) or prints what is not its own format.
 * <p>
 * One process: two, each describing half of the names (split by {@code -name}, which
 * {@code find} tests before its {@code lstat(2)}), were slower at 10,000 entries on an
 * idle 2-core Intel machine, the second process's start and reading of the directory
 * costing more than the stats it took over (docs/performance.md).
 * <p>
 * An entry that vanishes between {@code find}'s reading of the directory and its
 * {@code lstat(2)} is left out by {@code find}, which says so on its standard error, one
 * line per entry in the C locale: those lines are counted as skipped.
 */
final class FindLister implements DirectoryLister.Source {

	private static final System.Logger logger = System.getLogger(FindLister.class.getName());

	// Type, inode, 512-byte blocks, size, permission bits (octal), uid, mtime
	// (seconds.fraction), name. Not the user's name (%u): find looks it up for every
	// entry, which costs more than all the rest; the JVM looks it up once per user.
	private static final String FORMAT = "%y\\0%i\\0%b\\0%s\\0%m\\0%U\\0%T@\\0%f\\0";

	private static final int FIELDS = 8;

	private static final long FIND_TIMEOUT_SECONDS = 10;

	private final String find;

	/**
	 * Creates a lister that runs the given command.
	 * @param find the {@code find} command
	 */
	FindLister(String find) {
		this.find = find;
	}

	@Override
	public DirectoryLister.@Nullable Listing list(Path directory, Runnable whileListing) {
		Process process = start(directory);
		if (process == null) {
			return null;
		}
		ListingBuilder builder = new ListingBuilder(directory);
		AtomicInteger errors = new AtomicInteger();
		Thread errorReader = new Thread(() -> countLines(process.getErrorStream(), errors),
				"shared-memory-census-errors");
		errorReader.setDaemon(true);
		errorReader.start();
		boolean printed = false;
		try (InputStream output = process.getInputStream()) {
			FieldReader reader = new FieldReader(output);
			byte[][] fields = new byte[FIELDS][];
			int[] lengths = new int[FIELDS];
			boolean more = reader.read(fields, lengths);
			// find has read the directory once it prints its first entry.
			whileListing.run();
			for (; more; more = reader.read(fields, lengths)) {
				add(fields, lengths, builder);
				printed = true;
			}
			boolean finished = process.waitFor(FIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			if (!finished) {
				process.destroyForcibly();
			}
			errorReader.join(TimeUnit.SECONDS.toMillis(FIND_TIMEOUT_SECONDS));
			if (!printed && (!finished || process.exitValue() != 0)) {
				// Not GNU find (BusyBox's has no -printf): it failed before listing.
				logger.log(Level.DEBUG, "find listed nothing and failed");
				return null;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
			return null;
		}
		catch (IOException | RuntimeException ex) {
			process.destroyForcibly();
			logger.log(Level.DEBUG, "Cannot read the output of find: {0}", ex.getClass().getName());
			return null;
		}
		for (int i = errors.get(); i > 0; i--) {
			builder.skip();
		}
		return builder.listing();
	}

	private @Nullable Process start(Path directory) {
		ProcessBuilder builder = new ProcessBuilder(this.find, "-H", directory.toString(), "-mindepth", "1",
				"-maxdepth", "1", "-printf", FORMAT)
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		// One line per error, names escaped, whatever the user's locale.
		builder.environment().put("LC_ALL", "C");
		try {
			return builder.start();
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Cannot start find: {0}", ex.getMessage());
			return null;
		}
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

	private static void add(byte[][] fields, int[] lengths, ListingBuilder builder) {
		int mode = typeBits(fields[0][0]) | (int) parseLong(fields[4], lengths[4], 8);
		builder.add(fields[7], lengths[7], mode, parseLong(fields[1], lengths[1], 10),
				parseLong(fields[2], lengths[2], 10) * ListingBuilder.STAT_BLOCK_SIZE,
				parseLong(fields[3], lengths[3], 10), (int) parseLong(fields[5], lengths[5], 10),
				instant(fields[6], lengths[6]));
	}

	/**
	 * Returns the {@code st_mode} file type bits of {@code find}'s {@code %y}.
	 */
	private static int typeBits(byte type) {
		return switch (type) {
			case 'f' -> 0100000;
			case 'd' -> 0040000;
			case 'l' -> 0120000;
			// A FIFO, a socket or a device: all the same to a census.
			default -> 0;
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

}
