package dev.sharedmemory.ownership;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * Lists a directory with {@code find}, which lists it and describes every entry in one
 * pass. Where the JVM has two processors, two processes share the work: {@code -name}
 * splits the names by their last byte and is tested on the directory entry before any
 * {@code lstat(2)}, so each process stats and formats only its half, and a thread of ours
 * reads each. Each field ends with a NUL, the one byte no name holds, so names travel as
 * raw bytes, never quoted nor interpreted, and Java makes no system call per entry. It
 * cannot list where {@code find} cannot start (a distroless image), fails before listing
 * anything (one without {@code -printf}) or prints what is not its own format.
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

	// The names of the first half, by their last byte (bytes in the C locale): half of
	// the hexadecimal digits that generated names end with. The second half is the rest.
	private static final String FIRST_HALF = "*[02468aceACE]";

	private static final int FIELDS = 8;

	private static final long FIND_TIMEOUT_SECONDS = 10;

	private final String find;

	// What each process lists: all names, or each its half.
	private final List<List<String>> parts;

	/**
	 * Creates a lister that runs the given command in one process, or two where the JVM
	 * has two processors: on one, a second process would only add its own start and
	 * reading of the directory.
	 * @param find the {@code find} command
	 * @param processors the processors available to the JVM
	 */
	FindLister(String find, int processors) {
		this.find = find;
		this.parts = (processors > 1) ? List.of(List.of("-name", FIRST_HALF), List.of("!", "-name", FIRST_HALF))
				: List.of(List.of());
	}

	@Override
	public String name() {
		return "find";
	}

	@Override
	public DirectoryLister.@Nullable Listing list(Path directory, Runnable whileListing) {
		// Each reader waits for the others' first entries before going on, so that the
		// seam runs while every process is still listing.
		CyclicBarrier started = new CyclicBarrier(this.parts.size(), whileListing);
		List<Part> parts = new ArrayList<>(this.parts.size());
		for (List<String> names : this.parts) {
			Process process = start(directory, names);
			if (process == null) {
				parts.forEach((part) -> part.process.destroyForcibly());
				return null;
			}
			parts.add(new Part(process, new ListingBuilder(directory), started));
		}
		List<Thread> readers = new ArrayList<>();
		for (Part part : parts.subList(1, parts.size())) {
			Thread reader = new Thread(part::read, "shared-memory-census-find");
			reader.setDaemon(true);
			reader.start();
			readers.add(reader);
		}
		parts.get(0).read();
		try {
			for (Thread reader : readers) {
				reader.join();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			parts.forEach((part) -> part.process.destroyForcibly());
			return null;
		}
		ListingBuilder builder = new ListingBuilder(directory);
		for (Part part : parts) {
			if (!part.listed) {
				return null;
			}
			builder.addAll(part.builder);
		}
		return builder.listing();
	}

	private @Nullable Process start(Path directory, List<String> names) {
		List<String> command = new ArrayList<>(
				List.of(this.find, "-H", directory.toString(), "-mindepth", "1", "-maxdepth", "1"));
		command.addAll(names);
		command.addAll(List.of("-printf", FORMAT));
		ProcessBuilder builder = new ProcessBuilder(command)
			.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		// One line per error, names escaped, whatever the user's locale; names compared
		// byte by byte.
		builder.environment().put("LC_ALL", "C");
		try {
			return builder.start();
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Cannot start find: {0}", ex.getMessage());
			return null;
		}
	}

	/**
	 * Reads what one {@code find} process says of its part into a builder of its own.
	 */
	private static final class Part {

		private final Process process;

		private final ListingBuilder builder;

		private final CyclicBarrier started;

		// Whether the process listed its part; read after its reading thread is joined.
		private boolean listed;

		Part(Process process, ListingBuilder builder, CyclicBarrier started) {
			this.process = process;
			this.builder = builder;
			this.started = started;
		}

		void read() {
			AtomicInteger errors = new AtomicInteger();
			Thread errorReader = new Thread(() -> countLines(this.process.getErrorStream(), errors),
					"shared-memory-census-errors");
			errorReader.setDaemon(true);
			errorReader.start();
			boolean printed = false;
			try (InputStream output = this.process.getInputStream()) {
				FieldReader reader = new FieldReader(output);
				byte[][] fields = new byte[FIELDS][];
				int[] lengths = new int[FIELDS];
				boolean more;
				try {
					more = reader.read(fields, lengths);
				}
				finally {
					this.started.await(FIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
				}
				for (; more; more = reader.read(fields, lengths)) {
					add(fields, lengths, this.builder);
					printed = true;
				}
				boolean finished = this.process.waitFor(FIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
				if (!finished) {
					this.process.destroyForcibly();
				}
				errorReader.join(TimeUnit.SECONDS.toMillis(FIND_TIMEOUT_SECONDS));
				if (!printed && (!finished || this.process.exitValue() != 0)) {
					// Not GNU find (BusyBox's has no -printf): it failed before listing.
					logger.log(Level.DEBUG, "find listed nothing and failed");
					return;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
				return;
			}
			catch (IOException | BrokenBarrierException | TimeoutException | RuntimeException ex) {
				this.process.destroyForcibly();
				logger.log(Level.DEBUG, "Cannot read the output of find: {0}", ex.getClass().getName());
				return;
			}
			for (int i = errors.get(); i > 0; i--) {
				this.builder.skip();
			}
			this.listed = true;
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
