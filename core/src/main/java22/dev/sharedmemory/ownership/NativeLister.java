package dev.sharedmemory.ownership;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Lists a directory with the system calls themselves, through the foreign function API of
 * JDK 22: {@code getdents64(2)} reads the names as raw bytes, a {@code statx(2)} relative
 * to the directory describes each entry without following a link, allocated blocks
 * included. No process, no parsing: at 10,000 entries it costs about half what one
 * {@code find} does. Above {@value #PARALLEL_ABOVE} entries two threads share the
 * {@code statx(2)} calls. This class replaces the Java 17 one in the multi-release JAR.
 * <p>
 * Linking a native function is a restricted method: the lister exists only where native
 * access is enabled for this module ({@code --enable-native-access=ALL-UNNAMED} on the
 * class path), so that a user who did not opt in never sees the JDK's warning; a census
 * then lists with {@code find}. An entry that vanishes between the listing and its
 * {@code statx(2)}, or cannot be described, is skipped and counted, as with {@code find}.
 */
final class NativeLister implements DirectoryLister.Source {

	private static final System.Logger logger = System.getLogger(NativeLister.class.getName());

	/** The entries from which two threads describe them. */
	static final int PARALLEL_ABOVE = 1024;

	private static final int AT_SYMLINK_NOFOLLOW = 0x100;

	// No round trip to the server of a network file system for fresh attributes.
	private static final int AT_STATX_DONT_SYNC = 0x4000;

	private static final int STATX_TYPE = 0x1;

	private static final int STATX_MODE = 0x2;

	private static final int STATX_UID = 0x8;

	private static final int STATX_MTIME = 0x40;

	private static final int STATX_INO = 0x100;

	private static final int STATX_SIZE = 0x200;

	private static final int STATX_BLOCKS = 0x400;

	private static final int STATX_WANTED = STATX_TYPE | STATX_MODE | STATX_UID | STATX_MTIME | STATX_INO
			| STATX_SIZE | STATX_BLOCKS;

	// struct statx (linux/stat.h), the same on every architecture.
	private static final long STATX_SIZEOF = 256;

	private static final long STX_MASK = 0;

	private static final long STX_UID = 20;

	private static final long STX_MODE = 28;

	private static final long STX_INO = 32;

	private static final long STX_SIZE = 40;

	private static final long STX_BLOCKS = 48;

	private static final long STX_MTIME_SEC = 112;

	private static final long STX_MTIME_NSEC = 120;

	// struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
	private static final long D_RECLEN = 16;

	private static final long D_NAME = 19;

	// Room for many records per call; getdents64 wants room for at least one (280 bytes).
	private static final long READ_SIZE = 64 * 1024;

	private static final @Nullable Libc LIBC = link();

	private static final @Nullable NativeLister INSTANCE = (LIBC != null) ? new NativeLister(PARALLEL_ABOVE) : null;

	private final int parallelAbove;

	NativeLister(int parallelAbove) {
		this.parallelAbove = parallelAbove;
	}

	/**
	 * Returns the lister, if native access is enabled for this module and the C library
	 * has the functions it calls.
	 * @return the lister, or {@code null}
	 */
	static @Nullable NativeLister ifEnabled() {
		return INSTANCE;
	}

	@Override
	public DirectoryLister.@Nullable Listing list(Path directory, Runnable whileListing) throws IOException {
		Libc libc = LIBC;
		if (libc == null) {
			return null;
		}
		try (Arena arena = Arena.ofShared()) {
			MemorySegment dir = (MemorySegment) libc.opendir()
				.invokeExact(arena.allocateFrom(directory.toString(), ListingBuilder.FILE_NAMES));
			if (dir.equals(MemorySegment.NULL)) {
				// find, or the JDK, says why.
				return null;
			}
			try {
				int fd = (int) libc.dirfd().invokeExact(dir);
				Entries entries = read(libc, fd, arena);
				if (entries == null) {
					return null;
				}
				whileListing.run();
				Described described = describe(libc, fd, entries, arena);
				return described.listing(entries, new ListingBuilder(directory));
			}
			finally {
				// Fails only for a stream that is not open: nothing to do.
				int closed = (int) libc.closedir().invokeExact(dir);
			}
		}
		catch (IOException | RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Reads every record of the directory into one buffer, returning {@code null} if
	 * {@code getdents64(2)} fails.
	 */
	private static @Nullable Entries read(Libc libc, int fd, Arena arena) throws Throwable {
		MemorySegment buffer = arena.allocate(4 * READ_SIZE, 8);
		long used = 0;
		long[] offsets = new long[256];
		int count = 0;
		while (true) {
			if (buffer.byteSize() - used < READ_SIZE) {
				MemorySegment larger = arena.allocate(buffer.byteSize() * 2, 8);
				MemorySegment.copy(buffer, 0, larger, 0, used);
				buffer = larger;
			}
			long read = (long) libc.getdents64().invokeExact(fd, buffer.asSlice(used), buffer.byteSize() - used);
			if (read < 0) {
				return null;
			}
			if (read == 0) {
				return new Entries(buffer, offsets, count);
			}
			for (long record = used; record < used + read;
					record += Short.toUnsignedInt(buffer.get(ValueLayout.JAVA_SHORT_UNALIGNED, record + D_RECLEN))) {
				if (!isDotOrDotDot(buffer, record + D_NAME)) {
					if (count == offsets.length) {
						offsets = Arrays.copyOf(offsets, count * 2);
					}
					offsets[count++] = record;
				}
			}
			used += read;
		}
	}

	private static boolean isDotOrDotDot(MemorySegment buffer, long name) {
		if (buffer.get(ValueLayout.JAVA_BYTE, name) != '.') {
			return false;
		}
		byte second = buffer.get(ValueLayout.JAVA_BYTE, name + 1);
		return second == 0 || (second == '.' && buffer.get(ValueLayout.JAVA_BYTE, name + 2) == 0);
	}

	/**
	 * Describes every entry with {@code statx(2)}: above the threshold a second thread
	 * describes the second half, each thread into its own part of the arrays.
	 */
	private Described describe(Libc libc, int fd, Entries entries, Arena arena) throws Throwable {
		Described described = new Described(entries.count());
		int half = (entries.count() > this.parallelAbove) ? entries.count() / 2 : entries.count();
		Throwable[] failure = new Throwable[1];
		Thread helper = null;
		if (half < entries.count()) {
			MemorySegment helperBuffer = arena.allocate(STATX_SIZEOF, 8);
			helper = new Thread(() -> {
				try {
					described.statx(libc, fd, entries, half, entries.count(), helperBuffer);
				}
				catch (Throwable ex) {
					failure[0] = ex;
				}
			}, "shared-memory-census");
			helper.setDaemon(true);
			helper.start();
		}
		described.statx(libc, fd, entries, 0, half, arena.allocate(STATX_SIZEOF, 8));
		if (helper != null) {
			helper.join();
			if (failure[0] != null) {
				throw failure[0];
			}
		}
		return described;
	}

	private static @Nullable Libc link() {
		if (!NativeLister.class.getModule().isNativeAccessEnabled()) {
			// Linking would make the JDK warn a user who did not opt in.
			return null;
		}
		try {
			Linker linker = Linker.nativeLinker();
			SymbolLookup libc = linker.defaultLookup();
			return new Libc(
					linker.downcallHandle(libc.find("opendir").orElseThrow(),
							FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS)),
					linker.downcallHandle(libc.find("dirfd").orElseThrow(),
							FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS)),
					linker.downcallHandle(libc.find("getdents64").orElseThrow(),
							FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
									ValueLayout.JAVA_LONG)),
					linker.downcallHandle(libc.find("statx").orElseThrow(),
							FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
									ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS)),
					linker.downcallHandle(libc.find("closedir").orElseThrow(),
							FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS)));
		}
		catch (RuntimeException ex) {
			// Not Linux, or a C library without statx (glibc before 2.28) or getdents64
			// (before 2.30).
			logger.log(Level.DEBUG, "Cannot link the directory listing system calls: {0}", ex.toString());
			return null;
		}
	}

	/**
	 * The C library's functions a listing calls.
	 */
	private record Libc(MethodHandle opendir, MethodHandle dirfd, MethodHandle getdents64, MethodHandle statx,
			MethodHandle closedir) {

	}

	/**
	 * The directory's records, in one buffer.
	 *
	 * @param buffer the records
	 * @param offsets where each record but {@code .} and {@code ..} starts
	 * @param count the number of records
	 */
	private record Entries(MemorySegment buffer, long[] offsets, int count) {

		int nameLength(int entry) {
			long name = this.offsets[entry] + D_NAME;
			int length = 0;
			while (this.buffer.get(ValueLayout.JAVA_BYTE, name + length) != 0) {
				length++;
			}
			return length;
		}

	}

	/**
	 * What {@code statx(2)} said of each entry; a mode of -1 for one it could not
	 * describe.
	 */
	private static final class Described {

		private final int[] modes;

		private final int[] uids;

		private final long[] inodes;

		private final long[] sizes;

		// -1 where the file system does not say.
		private final long[] blocks;

		private final long[] seconds;

		private final int[] nanos;

		Described(int count) {
			this.modes = new int[count];
			this.uids = new int[count];
			this.inodes = new long[count];
			this.sizes = new long[count];
			this.blocks = new long[count];
			this.seconds = new long[count];
			this.nanos = new int[count];
		}

		void statx(Libc libc, int fd, Entries entries, int from, int to, MemorySegment statx) throws Throwable {
			MethodHandle call = libc.statx();
			for (int i = from; i < to; i++) {
				MemorySegment name = entries.buffer().asSlice(entries.offsets()[i] + D_NAME);
				int result = (int) call.invokeExact(fd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_WANTED,
						statx);
				if (result != 0) {
					// Vanished since listed (ENOENT), or unreadable: find would have said so.
					this.modes[i] = -1;
					continue;
				}
				int mask = statx.get(ValueLayout.JAVA_INT, STX_MASK);
				this.modes[i] = Short.toUnsignedInt(statx.get(ValueLayout.JAVA_SHORT, STX_MODE));
				this.uids[i] = statx.get(ValueLayout.JAVA_INT, STX_UID);
				this.inodes[i] = statx.get(ValueLayout.JAVA_LONG, STX_INO);
				this.sizes[i] = statx.get(ValueLayout.JAVA_LONG, STX_SIZE);
				this.blocks[i] = ((mask & STATX_BLOCKS) != 0) ? statx.get(ValueLayout.JAVA_LONG, STX_BLOCKS) : -1;
				this.seconds[i] = statx.get(ValueLayout.JAVA_LONG, STX_MTIME_SEC);
				this.nanos[i] = statx.get(ValueLayout.JAVA_INT, STX_MTIME_NSEC);
			}
		}

		DirectoryLister.Listing listing(Entries entries, ListingBuilder builder) {
			byte[] name = new byte[256];
			for (int i = 0; i < entries.count(); i++) {
				if (this.modes[i] < 0) {
					builder.skip();
					continue;
				}
				int length = entries.nameLength(i);
				if (length > name.length) {
					name = new byte[length];
				}
				MemorySegment.copy(entries.buffer(), ValueLayout.JAVA_BYTE, entries.offsets()[i] + D_NAME, name, 0,
						length);
				Long allocated = (this.blocks[i] >= 0) ? this.blocks[i] * ListingBuilder.STAT_BLOCK_SIZE : null;
				builder.add(name, length, this.modes[i], this.inodes[i], allocated, this.sizes[i], this.uids[i],
						Instant.ofEpochSecond(this.seconds[i], this.nanos[i]));
			}
			return builder.listing();
		}

	}

}
