package dev.sharedmemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.mapping.MappedRegion;
import dev.sharedmemory.mapping.MemoryMapper;
import dev.sharedmemory.ownership.DirectoryCensusTaker;

/**
 * The directory that holds shared memory blocks as files, {@code /dev/shm} by default:
 * where {@code shm_open(3)}, and so Python, keeps them on Linux. Creates, attaches and
 * unlinks blocks by name; a name can never reach outside it.
 * <p>
 * Instances are immutable and thread-safe. The default directory can be changed with the
 * system property {@value #DIRECTORY_PROPERTY}; {@link #of(Path)} names any other (a
 * tmpfs of a container, a test's own mount).
 */
public final class SharedMemoryDirectory {

	/** The system property that overrides the default directory. */
	public static final String DIRECTORY_PROPERTY = "dev.sharedmemory.directory";

	/** Where Linux keeps POSIX shared memory objects. */
	public static final Path LINUX_SHM = Path.of("/dev/shm");

	/** The longest name a block may have, in UTF-8 bytes, as {@code NAME_MAX} allows. */
	public static final int MAX_NAME_BYTES = 255;

	private static final String NAME_PREFIX = "psm_";

	private static final int NAME_RANDOM_BYTES = 4;

	private static final int MAX_NAME_ATTEMPTS = 100;

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

	private static final Set<OpenOption> CREATE_OPTIONS = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
			StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

	// shm_open(3) opens with O_NOFOLLOW: a link planted in the directory never leads
	// elsewhere.
	private static final Set<OpenOption> ATTACH_OPTIONS = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
			LinkOption.NOFOLLOW_LINKS);

	private static final int ZEROS_CHUNK = 1 << 20;

	private static final int PRECHECKED_SIZE = 64 << 10;

	private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZEROS_CHUNK).asReadOnlyBuffer();

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Path path;

	private final boolean reservePages;

	private final MemoryMapper mapper;

	private SharedMemoryDirectory(Path path, boolean reservePages, MemoryMapper mapper) {
		this.path = path;
		this.reservePages = reservePages;
		this.mapper = mapper;
	}

	/**
	 * Returns the default directory: the value of {@value #DIRECTORY_PROPERTY} if set,
	 * else {@code /dev/shm}.
	 * @return the default directory, reserving pages on create
	 * @throws UnsupportedOperationException on a platform other than Linux, naming the
	 * platform
	 */
	public static SharedMemoryDirectory defaultDirectory() {
		String configured = System.getProperty(DIRECTORY_PROPERTY);
		return of((configured != null && !configured.isBlank()) ? Path.of(configured) : LINUX_SHM);
	}

	/**
	 * Returns the given directory, which should be on a tmpfs for blocks to live in
	 * memory.
	 * @param path the directory
	 * @return the directory, reserving pages on create
	 * @throws UnsupportedOperationException on a platform other than Linux, naming the
	 * platform
	 */
	public static SharedMemoryDirectory of(Path path) {
		Objects.requireNonNull(path, "path must not be null");
		checkPlatform();
		return new SharedMemoryDirectory(path.toAbsolutePath().normalize(), true, MemoryMapper.best());
	}

	/**
	 * Takes a census of the directory: every entry, the memory it really holds and who
	 * manages it (a manager of this process, of another live process, of one that is
	 * gone, or none), with totals by category. Links and other entries that are not
	 * regular files are described, never followed. See {@link DirectoryCensus}.
	 * @return the census
	 * @throws SharedMemoryException if the directory cannot be listed
	 */
	public DirectoryCensus census() {
		return new DirectoryCensusTaker(this.path).take();
	}

	/**
	 * Tells whether this platform is supported: Linux, where POSIX shared memory is a
	 * tmpfs directory.
	 * @return {@code true} on Linux
	 */
	public static boolean isPlatformSupported() {
		return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
	}

	/**
	 * Returns a description of this platform, as errors and logs name it.
	 * @return the operating system's name, version and architecture
	 */
	public static String platform() {
		return System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
				+ System.getProperty("os.arch") + ")";
	}

	private static void checkPlatform() {
		if (!isPlatformSupported()) {
			throw new UnsupportedOperationException(
					"Shared memory is supported on Linux only (through /dev/shm); this platform is " + platform());
		}
	}

	/**
	 * Returns a copy of this directory that does or does not reserve a new block's pages
	 * when creating it.
	 * <p>
	 * Reserving (the default) writes the whole block once at create time, so that a
	 * directory too full to hold it fails there with a clear
	 * {@link SharedMemoryException} rather than with a {@code SIGBUS} at some later
	 * write, as an unreserved block on a full tmpfs does. Not reserving makes create
	 * cheaper for blocks that stay sparse.
	 * @param reserve whether to reserve pages
	 * @return the directory with that setting
	 */
	public SharedMemoryDirectory withPageReservation(boolean reserve) {
		return (reserve == this.reservePages) ? this : new SharedMemoryDirectory(this.path, reserve, this.mapper);
	}

	/**
	 * Returns the directory's path.
	 * @return the absolute path
	 */
	public Path path() {
		return this.path;
	}

	/**
	 * Tells whether creating a block reserves its pages.
	 * @return {@code true} if it does
	 * @see #withPageReservation(boolean)
	 */
	public boolean reservesPages() {
		return this.reservePages;
	}

	/**
	 * Returns the name of the mapping implementation in use (for logs and benchmarks):
	 * {@code ffm} on JDK 22 and later, {@code nio} before (see {@link SharedMemory} on
	 * when each releases a mapping).
	 * @return the implementation's name
	 */
	public String mappingImplementation() {
		return this.mapper.name();
	}

	/**
	 * Returns the size of the file system that holds the directory.
	 * @return its total bytes, or 0 if it cannot be read
	 */
	public long totalSpace() {
		return this.path.toFile().getTotalSpace();
	}

	/**
	 * Returns how many bytes new blocks can still take.
	 * @return the usable bytes, or 0 if the directory cannot be read
	 */
	public long usableSpace() {
		return this.path.toFile().getUsableSpace();
	}

	/**
	 * Creates a block under a new generated name, {@code psm_} and 8 lowercase hex
	 * characters, as Python does, drawing another name if one is taken.
	 * @param size the size in bytes, at least 1
	 * @return the new block, mapped
	 * @throws IllegalArgumentException if the size is not positive
	 * @throws SharedMemoryException if the block cannot be created, naming the size and
	 * the space left
	 */
	public SharedMemory create(long size) {
		return create(size, SharedMemoryDirectory::generateName, CreationListener.NONE);
	}

	/**
	 * Creates a block under a new generated name, telling the listener of it the moment
	 * the name is taken: what lets a {@link SharedMemoryManager} record a block before a
	 * crash could leave it unknown.
	 */
	SharedMemory create(long size, CreationListener listener) {
		return create(size, SharedMemoryDirectory::generateName, listener);
	}

	/**
	 * Creates a block under the first name the given source draws that is not taken;
	 * tests pass their own names.
	 */
	SharedMemory create(long size, Supplier<String> names) {
		return create(size, names, CreationListener.NONE);
	}

	/**
	 * Creates a block whose first bytes are the given content, if any, under the given
	 * name or, if it is {@code null}, a generated one, telling the listener of it.
	 * <p>
	 * The content is written through the block's file before the block is mapped: in a
	 * virtual machine the page fault that each page of a fresh mapping costs on its first
	 * write can cost more than the copy itself, and {@code write(2)} fills the pages
	 * without one.
	 */
	SharedMemory create(@Nullable String name, long size, CreationListener listener, @Nullable ByteBuffer content) {
		if (content != null && content.remaining() > size) {
			throw new IllegalArgumentException(
					"Content of " + content.remaining() + " bytes does not fit a block of " + size + " bytes");
		}
		return (name != null) ? createNamed(name, size, listener, content)
				: create(size, SharedMemoryDirectory::generateName, listener, content);
	}

	private SharedMemory create(long size, Supplier<String> names, CreationListener listener) {
		return create(size, names, listener, null);
	}

	private SharedMemory create(long size, Supplier<String> names, CreationListener listener,
			@Nullable ByteBuffer content) {
		// createNamed checks the size (and each generated name).
		for (int attempt = 0;; attempt++) {
			try {
				return createNamed(names.get(), size, listener, content);
			}
			catch (SharedMemoryExistsException ex) {
				if (attempt == MAX_NAME_ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

	/**
	 * Creates a block under the given name, exclusively and with mode {@code 0600}.
	 * @param name the name, with or without a leading slash
	 * @param size the size in bytes, at least 1
	 * @return the new block, mapped
	 * @throws IllegalArgumentException if the name or the size is invalid
	 * @throws SharedMemoryExistsException if the name is taken
	 * @throws SharedMemoryException if the block cannot be created, naming the size and
	 * the space left; nothing is left behind
	 */
	public SharedMemory create(String name, long size) {
		return create(name, size, CreationListener.NONE);
	}

	/**
	 * Creates a block under the given name, telling the listener of it the moment the
	 * name is taken.
	 */
	SharedMemory create(String name, long size, CreationListener listener) {
		return createNamed(name, size, listener, null);
	}

	private SharedMemory createNamed(String name, long size, CreationListener listener, @Nullable ByteBuffer content) {
		String checked = checkName(name);
		checkSize(size);
		Path file = resolve(checked);
		FileChannel channel;
		try {
			channel = FileChannel.open(file, CREATE_OPTIONS, OWNER_ONLY);
		}
		catch (FileAlreadyExistsException ex) {
			throw new SharedMemoryExistsException(checked);
		}
		catch (IOException ex) {
			throw failure("Cannot create shared memory block '" + checked + "' in " + this.path, ex);
		}
		boolean announced = false;
		try {
			listener.created(checked, size, file);
			announced = true;
			fill(channel, checked, size, content);
			// Sizes the file (ftruncate(2)) if it is still shorter, as Python's create
			// does.
			MappedRegion region = this.mapper.map(channel, size);
			return new SharedMemory(this, checked, size, region);
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(channel);
			deleteQuietly(file);
			if (announced) {
				listener.abandoned(checked);
			}
			if (ex instanceof SharedMemoryException shmEx) {
				throw shmEx;
			}
			throw new SharedMemoryException("Cannot create shared memory block '" + checked + "' of " + size
					+ " bytes in " + this.path + " (" + usableSpace() + " bytes free): " + reason(ex), ex);
		}
	}

	/**
	 * Attaches to an existing block; its size comes from the block.
	 * @param name the name, with or without a leading slash
	 * @return the block, mapped
	 * @throws IllegalArgumentException if the name is invalid
	 * @throws SharedMemoryNotFoundException if there is no such block
	 * @throws SharedMemoryException if it cannot be mapped; the block is never unlinked
	 */
	public SharedMemory attach(String name) {
		return doAttach(name, null);
	}

	/**
	 * Attaches to an existing block as {@link #attach(String)} does, and first reads its
	 * leading bytes into the given buffer through the block's file rather than through
	 * the mapping: the way to read a header at attach. A read of the file is one system
	 * call; the first read of the mapping costs a page fault, and the close after it the
	 * unmapping of that page, which take longer than the rest of an attach.
	 * @param name the name, with or without a leading slash
	 * @param head the buffer to fill from the block's first byte on: up to its remaining
	 * bytes, fewer if the block is smaller; its position advances past what was read
	 * @return the block, mapped
	 * @throws IllegalArgumentException if the name is invalid
	 * @throws SharedMemoryNotFoundException if there is no such block
	 * @throws SharedMemoryException if it cannot be read or mapped; the block is never
	 * unlinked
	 */
	public SharedMemory attach(String name, ByteBuffer head) {
		Objects.requireNonNull(head, "head must not be null");
		return doAttach(name, head);
	}

	private SharedMemory doAttach(String name, @Nullable ByteBuffer head) {
		String checked = checkName(name);
		FileChannel channel;
		try {
			channel = FileChannel.open(resolve(checked), ATTACH_OPTIONS);
		}
		catch (NoSuchFileException ex) {
			throw new SharedMemoryNotFoundException(checked);
		}
		catch (IOException ex) {
			throw failure("Cannot attach to shared memory block '" + checked + "' in " + this.path, ex);
		}
		try {
			long size = channel.size();
			if (size <= 0) {
				throw new SharedMemoryException(
						"Cannot attach to shared memory block '" + checked + "': it is empty (0 bytes)");
			}
			if (head != null) {
				readHead(channel, head, size);
			}
			return new SharedMemory(this, checked, size, this.mapper.map(channel, size));
		}
		catch (IOException | RuntimeException ex) {
			// Unlike CPython (gh-153279), a failed attach leaves the block alone: it is
			// someone else's.
			closeQuietly(channel);
			if (ex instanceof SharedMemoryException shmEx) {
				throw shmEx;
			}
			throw new SharedMemoryException(
					"Cannot map shared memory block '" + checked + "' in " + this.path + ": " + reason(ex), ex);
		}
	}

	/**
	 * Removes a block's name; processes that have it mapped keep their mapping until they
	 * close it.
	 * @param name the name, with or without a leading slash
	 * @throws IllegalArgumentException if the name is invalid
	 * @throws SharedMemoryNotFoundException if there is no such block
	 * @throws SharedMemoryException if the name is a directory or cannot be removed
	 */
	public void unlink(String name) {
		String checked = checkName(name);
		Path file = resolve(checked);
		if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
			// shm_unlink(3) refuses a directory (EISDIR), where Files.delete would remove
			// an empty one.
			throw new SharedMemoryException(
					"Cannot unlink shared memory block '" + checked + "' in " + this.path + ": it is a directory");
		}
		// File.delete is one unlink(2), where Files.delete would lstat(2) once more
		// first; only a failure asks Files.delete for the reason.
		if (file.toFile().delete()) {
			return;
		}
		try {
			Files.delete(file);
		}
		catch (NoSuchFileException ex) {
			throw new SharedMemoryNotFoundException(checked);
		}
		catch (IOException ex) {
			throw failure("Cannot unlink shared memory block '" + checked + "' in " + this.path, ex);
		}
	}

	/**
	 * Tells whether a block of this name exists.
	 * @param name the name, with or without a leading slash
	 * @return {@code true} if it exists
	 * @throws IllegalArgumentException if the name is invalid
	 */
	public boolean exists(String name) {
		return Files.exists(resolve(checkName(name)), LinkOption.NOFOLLOW_LINKS);
	}

	/**
	 * Checks a block name as {@code shm_open(3)} would see it and returns it without its
	 * leading slash.
	 * @param name the name, with or without a leading slash
	 * @return the name without a leading slash
	 * @throws IllegalArgumentException if the name is empty, {@code .} or {@code ..},
	 * holds a slash after the first character or a NUL, or is longer than
	 * {@value #MAX_NAME_BYTES} bytes
	 */
	public static String checkName(@Nullable String name) {
		if (name == null) {
			throw new IllegalArgumentException("Shared memory block name must not be null");
		}
		String bare = name.startsWith("/") ? name.substring(1) : name;
		if (bare.isEmpty()) {
			throw new IllegalArgumentException("Shared memory block name must not be empty: '" + name + "'");
		}
		if (bare.indexOf('\0') >= 0) {
			throw new IllegalArgumentException(
					"Shared memory block name must not contain NUL: '" + name.replace("\0", "\\0") + "'");
		}
		if (bare.indexOf('/') >= 0) {
			throw new IllegalArgumentException(
					"Shared memory block name must not contain '/' after its first character: '" + name + "'");
		}
		if (bare.equals(".") || bare.equals("..")) {
			throw new IllegalArgumentException("Shared memory block name must not be '" + bare + "'");
		}
		int bytes = bare.getBytes(StandardCharsets.UTF_8).length;
		if (bytes > MAX_NAME_BYTES) {
			throw new IllegalArgumentException("Shared memory block name is " + bytes + " bytes long, more than the "
					+ MAX_NAME_BYTES + " allowed: '" + bare.substring(0, 32) + "...'");
		}
		return bare;
	}

	private static void checkSize(long size) {
		if (size <= 0) {
			throw new IllegalArgumentException("Shared memory block size must be positive, was " + size);
		}
	}

	/**
	 * Returns the file of a checked name: a direct child of the directory, since the name
	 * holds no slash and is not {@code .} or {@code ..}.
	 */
	private Path resolve(String checked) {
		try {
			return this.path.resolve(checked);
		}
		catch (InvalidPathException ex) {
			// The JVM encodes file names in the locale's charset: under LANG=C that is
			// ASCII, and Python's UTF-8 names cannot be expressed.
			throw new IllegalArgumentException("Shared memory block name '" + checked
					+ "' cannot be written in this JVM's file name encoding (" + System.getProperty("sun.jnu.encoding")
					+ "); run the JVM with a UTF-8 locale such as " + "LANG=C.UTF-8", ex);
		}
	}

	private static String generateName() {
		byte[] random = new byte[NAME_RANDOM_BYTES];
		RANDOM.nextBytes(random);
		return NAME_PREFIX + HexFormat.of().formatHex(random);
	}

	/**
	 * Writes the content, if any, at the start of the block and, when pages are reserved,
	 * zeros over the rest, so that tmpfs allocates every page now or refuses with
	 * {@code ENOSPC}.
	 */
	private void fill(FileChannel channel, String name, long size, @Nullable ByteBuffer content) throws IOException {
		// Checked up front only where writing the block costs more than asking: for a
		// block of a few pages the statfs(2) costs as much as writing them, and ENOSPC
		// fails it just as clearly below.
		if (this.reservePages && size > PRECHECKED_SIZE) {
			long usable = usableSpace();
			if (size > usable) {
				throw new SharedMemoryException("Cannot create shared memory block '" + name + "' of " + size
						+ " bytes: only " + usable + " bytes free in " + this.path);
			}
		}
		long position = 0;
		try {
			if (content != null) {
				ByteBuffer bytes = content.duplicate();
				while (bytes.hasRemaining()) {
					position += channel.write(bytes, position);
				}
			}
			while (this.reservePages && position < size) {
				ByteBuffer zeros = ZEROS.duplicate();
				zeros.limit((int) Math.min(ZEROS_CHUNK, size - position));
				position += channel.write(zeros, position);
			}
		}
		catch (ClosedByInterruptException ex) {
			// An interrupt, not a full directory: create reports it as such.
			throw ex;
		}
		catch (IOException ex) {
			throw new SharedMemoryException("Cannot create shared memory block '" + name + "' of " + size + " bytes: "
					+ this.path + " ran out of space after " + position + " bytes (" + usableSpace() + " bytes free): "
					+ reason(ex), ex);
		}
	}

	private static SharedMemoryException failure(String message, IOException ex) {
		return new SharedMemoryException(message + ": " + reason(ex), ex);
	}

	/**
	 * Describes an I/O failure in words: the system's reason, without the path the
	 * message already names.
	 */
	private static String reason(Exception ex) {
		if (ex instanceof ClosedByInterruptException) {
			return "the thread was interrupted";
		}
		if (ex instanceof AccessDeniedException) {
			return "permission denied";
		}
		if (ex instanceof NoSuchFileException) {
			return "no such file or directory";
		}
		if (ex instanceof FileSystemException fsEx && fsEx.getReason() != null) {
			return fsEx.getReason();
		}
		return (ex.getMessage() != null) ? ex.getMessage() : ex.toString();
	}

	private static void readHead(FileChannel channel, ByteBuffer head, long size) throws IOException {
		// Never past the size just read, should the file grow meanwhile.
		int limit = head.limit();
		head.limit((int) Math.min(limit, head.position() + size));
		try {
			long at = 0;
			int read;
			while (head.hasRemaining() && (read = channel.read(head, at)) > 0) {
				at += read;
			}
		}
		finally {
			head.limit(limit);
		}
	}

	private static void closeQuietly(FileChannel channel) {
		try {
			channel.close();
		}
		catch (IOException ex) {
			// Already failing; the first error is the one to report.
		}
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			// Already failing; the first error is the one to report.
		}
	}

	@Override
	public String toString() {
		return "SharedMemoryDirectory[" + this.path + "]";
	}

	/**
	 * Told of each block a directory creates.
	 */
	interface CreationListener {

		/** Tells nobody. */
		CreationListener NONE = new CreationListener() {

			@Override
			public void created(String name, long size, Path file) {
			}

			@Override
			public void abandoned(String name) {
			}

		};

		/**
		 * Called once the block's file exists under its name, exclusively this process's,
		 * before it is sized or mapped.
		 * @param name the block's name
		 * @param size the size it is being given
		 * @param file its file
		 * @throws SharedMemoryException to refuse the block: its file is then removed and
		 * create fails with it
		 */
		void created(String name, long size, Path file);

		/**
		 * Called if creating a block failed after {@link #created}: its file was removed.
		 * @param name the block's name
		 */
		void abandoned(String name);

	}

}
