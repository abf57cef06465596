package dev.sharedmemory.ownership;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.SharedMemoryException;

/**
 * The record a {@link dev.sharedmemory.SharedMemoryManager} keeps, beside its blocks, of
 * the blocks it created: who owns them (see {@link ProcessIdentity}) and each block's
 * name, size and inode. Should the owner die without unlinking them, a later start finds
 * the record and unlinks exactly those blocks (see {@link OrphanReclaimer}); being in the
 * same tmpfs, records and blocks vanish together at reboot.
 * <p>
 * The file is {@code .psm-owner-<pid>-<start time>-<8 hex>}, mode {@code 0600}: a dot
 * name, which no generated block name takes and which Python never attaches. It is text,
 * one line per fact, so that each create and unlink costs one small append whatever the
 * number of blocks: <pre>
 * shared-memory owner record 1
 * pid 4242
 * start 1234567
 * boot 6f0e...
 * pidns pid:[4026531836]
 * uid 1000
 * user app
 * + psm_1a2b3c4d 4096 8812
 * - psm_1a2b3c4d
 * </pre> Beside it, {@code .psm-lock-<pid>-<start time>-<8 hex>}, an empty file of the
 * same mode, is locked by the owner for as long as it lives (see {@link OwnerLock}): what
 * tells, from any pid namespace, whether the owner is gone. It is created before the
 * record and deleted after it; a record without one, as versions before it wrote them, is
 * judged by its owner's pid and start time instead, which only a process of the same pid
 * namespace can read.
 * <p>
 * The header appears at once, through a temporary file moved into place; when unlinked
 * blocks outnumber live ones the record is rewritten the same way with only the live
 * ones. A line is written by one {@code write(2)}, and an append that fails is cut off
 * again, so a crash or a full directory never leaves half a line. Names are
 * percent-encoded (UTF-8), so that any block name fits on one line. Thread-safe: every
 * change is made under the record's own lock.
 */
public final class OwnerRecord {

	/** How every record's file name starts: the one place that says it. */
	public static final String FILE_PREFIX = ".psm-owner-";

	/** How every owner's lock file's name starts; the rest is its record's. */
	public static final String LOCK_PREFIX = ".psm-lock-";

	static final String TEMPORARY_SUFFIX = ".tmp";

	static final String MAGIC = "shared-memory owner record 1";

	private static final System.Logger logger = System.getLogger(OwnerRecord.class.getName());

	// Rewriting costs a line per live block: done once removals outnumber them, it stays
	// O(1) per operation.
	private static final int COMPACTION_SLACK = 1024;

	private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY = PosixFilePermissions
		.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Path file;

	private final Path lockFile;

	private final ProcessIdentity owner;

	private final Map<String, Entry> live = new LinkedHashMap<>();

	private @Nullable FileChannel channel;

	private @Nullable OwnerLock lock;

	private long length;

	private long lines;

	private OwnerRecord(Path file, ProcessIdentity owner) {
		this.file = file;
		this.lockFile = file.resolveSibling(lockFileName(file.getFileName().toString()));
		this.owner = owner;
	}

	/**
	 * Returns a record for blocks in the given directory, owned by this process. Nothing
	 * is written until the first block is added.
	 * @param directory the directory of the blocks
	 * @return the record
	 */
	public static OwnerRecord forCurrentProcess(Path directory) {
		return in(directory, ProcessIdentity.current());
	}

	/**
	 * Returns a record for blocks in the given directory, owned by the given process.
	 * Nothing is written until the first block is added.
	 */
	static OwnerRecord in(Path directory, ProcessIdentity owner) {
		byte[] random = new byte[4];
		RANDOM.nextBytes(random);
		String name = FILE_PREFIX + owner.pid() + "-" + owner.startTime() + "-" + HexFormat.of().formatHex(random);
		return new OwnerRecord(directory.resolve(name), owner);
	}

	/**
	 * Returns the record's file; it exists once a block was added.
	 * @return the file
	 */
	public Path file() {
		return this.file;
	}

	/**
	 * Returns the file whose lock tells whether the record's owner lives; it exists once
	 * a block was added.
	 * @return the file
	 */
	public Path lockFile() {
		return this.lockFile;
	}

	/**
	 * Tells whether a file in a blocks' directory is one of an owner's: a record, its
	 * temporary file or a lock file.
	 * @param fileName the file's name
	 * @return whether it is an owner's file rather than a block
	 */
	public static boolean isOwnerFile(String fileName) {
		return fileName.startsWith(FILE_PREFIX) || fileName.startsWith(LOCK_PREFIX);
	}

	/**
	 * Records a block just created, before anything else is done with it: should the
	 * process die from here on, the block is known.
	 * @param name the block's name
	 * @param size the size it is being given
	 * @param file its file, whose inode tells it from a later file of the same name
	 * @throws SharedMemoryException if the record cannot be written; the caller must then
	 * give up the block
	 */
	public void add(String name, long size, Path file) {
		long inode;
		try {
			inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
		}
		catch (IOException ex) {
			throw new SharedMemoryException(
					"Cannot create shared memory block '" + name + "': cannot read its inode: " + ex.getMessage(), ex);
		}
		add(name, size, inode);
	}

	/**
	 * Records a block known by its inode, before anything else is done with it.
	 * @param name the block's name
	 * @param size its size
	 * @param inode the inode of its file
	 * @throws SharedMemoryException if the record cannot be written
	 */
	public synchronized void add(String name, long size, long inode) {
		try {
			if (this.lock == null) {
				// Held before the record exists: a record is never seen without its lock
				// by anyone who could take it.
				this.lock = OwnerLock.create(this.lockFile);
			}
			if (this.channel == null) {
				rewrite();
			}
			append("+ " + encode(name) + " " + size + " " + inode + "\n");
		}
		catch (IOException ex) {
			throw new SharedMemoryException("Cannot create shared memory block '" + name + "': its owner cannot be "
					+ "recorded in " + this.file + ": " + ex.getMessage(), ex);
		}
		this.live.put(name, new Entry(size, inode));
	}

	/**
	 * Returns the inode of a block the record names, which tells the block from a later
	 * file of the same name.
	 * @param name the block's name
	 * @return its inode, or empty if the record does not name it
	 */
	public synchronized OptionalLong inode(String name) {
		Entry entry = this.live.get(name);
		return (entry != null) ? OptionalLong.of(entry.inode()) : OptionalLong.empty();
	}

	/**
	 * Records that a block was unlinked, or abandoned while being created. Best effort: a
	 * block the record still names but which is gone, or is another file by now (another
	 * inode), is never unlinked on its behalf.
	 * @param name the block's name
	 */
	public synchronized void remove(String name) {
		if (this.live.remove(name) == null || this.channel == null) {
			return;
		}
		try {
			append("- " + encode(name) + "\n");
			if (this.lines > 2L * this.live.size() + COMPACTION_SLACK) {
				rewrite();
			}
		}
		catch (IOException ex) {
			logger.log(Level.DEBUG, "Could not record the unlink of ''{0}'' in {1}: {2}", name, this.file,
					ex.getMessage());
		}
	}

	/**
	 * Keeps only the given blocks, or deletes the record if there are none: what a
	 * shutdown leaves.
	 * @param names the blocks that are still there
	 */
	public synchronized void retainOnly(Collection<String> names) {
		this.live.keySet().retainAll(names);
		try {
			if (this.live.isEmpty()) {
				delete();
			}
			else {
				rewrite();
				closeChannel();
			}
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Could not update the shared memory owner record {0}: {1}", this.file,
					ex.getMessage());
		}
	}

	/**
	 * Deletes the record: its blocks are unlinked or deliberately handed over.
	 */
	synchronized void delete() throws IOException {
		closeChannel();
		Files.deleteIfExists(this.file);
		this.live.clear();
		if (this.lock != null) {
			OwnerLock held = this.lock;
			this.lock = null;
			held.deleteAndRelease();
		}
	}

	/**
	 * Lets go of the record as a killed owner does: its lock is released, its files stay.
	 * For tests.
	 */
	synchronized void abandon() throws IOException {
		closeChannel();
		if (this.lock != null) {
			OwnerLock held = this.lock;
			this.lock = null;
			held.release();
		}
	}

	/**
	 * Writes the record anew, header and live blocks, and appends to it from then on: the
	 * one way a record is written whole. Should the write fail, the channel still appends
	 * to the record as it was.
	 */
	private void rewrite() throws IOException {
		ByteArrayOutputStream content = header();
		this.live.forEach((name, entry) -> {
			byte[] line = ("+ " + encode(name) + " " + entry.size() + " " + entry.inode() + "\n")
				.getBytes(StandardCharsets.US_ASCII);
			content.write(line, 0, line.length);
		});
		replaceWith(content);
		closeChannel();
		openChannel();
	}

	private ByteArrayOutputStream header() {
		String text = MAGIC + "\n" + "pid " + this.owner.pid() + "\n" + "start " + this.owner.startTime() + "\n"
				+ "boot " + orDash(this.owner.bootId()) + "\n" + "pidns " + orDash(this.owner.pidNamespace()) + "\n"
				+ "uid " + this.owner.uid() + "\n" + "user " + encode(orDash(this.owner.user())) + "\n";
		ByteArrayOutputStream out = new ByteArrayOutputStream(256);
		out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
		return out;
	}

	/**
	 * Writes the whole record to a temporary file, mode {@code 0600} from its creation,
	 * and moves it over the record in one step: a reader sees the old record or the new
	 * one, never a mix.
	 */
	private void replaceWith(ByteArrayOutputStream content) throws IOException {
		Path temporary = this.file.resolveSibling(this.file.getFileName() + TEMPORARY_SUFFIX);
		Files.deleteIfExists(temporary);
		Files.createFile(temporary, OWNER_ONLY);
		try {
			Files.write(temporary, content.toByteArray(), StandardOpenOption.WRITE);
			Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			Files.deleteIfExists(temporary);
			throw ex;
		}
	}

	private void openChannel() throws IOException {
		this.channel = FileChannel.open(this.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
				LinkOption.NOFOLLOW_LINKS);
		this.length = this.channel.size();
		this.lines = this.live.size();
	}

	private void closeChannel() throws IOException {
		if (this.channel != null) {
			FileChannel open = this.channel;
			this.channel = null;
			open.close();
		}
	}

	private void append(String line) throws IOException {
		ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
		try {
			while (bytes.hasRemaining()) {
				this.channel.write(bytes);
			}
		}
		catch (IOException ex) {
			// A full tmpfs can take part of a line: cut it off, so the next line starts
			// on a line of its own.
			try {
				this.channel.truncate(this.length);
			}
			catch (IOException truncateFailure) {
				ex.addSuppressed(truncateFailure);
			}
			throw ex;
		}
		this.length += bytes.capacity();
		this.lines++;
	}

	private static String orDash(@Nullable String value) {
		return (value != null) ? value : "-";
	}

	/**
	 * Percent-encodes every byte of the UTF-8 name outside printable ASCII, and the
	 * percent sign itself.
	 */
	static String encode(String name) {
		StringBuilder encoded = new StringBuilder(name.length());
		for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xff;
			if (c > ' ' && c < 0x7f && c != '%') {
				encoded.append((char) c);
			}
			else {
				encoded.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
			}
		}
		return encoded.toString();
	}

	/**
	 * Reverses {@link #encode(String)}.
	 * @throws IllegalArgumentException if the text is not an encoded name
	 */
	static String decode(String encoded) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
		for (int i = 0; i < encoded.length(); i++) {
			char c = encoded.charAt(i);
			if (c == '%') {
				if (i + 2 >= encoded.length()) {
					throw new IllegalArgumentException("Truncated escape in '" + encoded + "'");
				}
				bytes.write(HexFormat.fromHexDigits(encoded, i + 1, i + 3));
				i += 2;
			}
			else if (c > ' ' && c < 0x7f) {
				bytes.write(c);
			}
			else {
				throw new IllegalArgumentException("Unencoded character in '" + encoded + "'");
			}
		}
		return bytes.toString(StandardCharsets.UTF_8);
	}

	/**
	 * Reads a record.
	 * @param file the record
	 * @return what it says, or {@code null} if its header is incomplete (its owner died
	 * while writing it, and it names no block)
	 * @throws IOException if it cannot be read
	 */
	static @Nullable Contents read(Path file) throws IOException {
		byte[] bytes = Files.readAllBytes(file);
		String text = new String(bytes, StandardCharsets.US_ASCII);
		// Only whole lines count: a line without its newline was being written when its
		// writer died.
		int end = text.lastIndexOf('\n');
		String[] lines = (end < 0) ? new String[0] : text.substring(0, end).split("\n", -1);
		if (lines.length == 0 || !lines[0].equals(MAGIC)) {
			return null;
		}
		Map<String, String> header = new LinkedHashMap<>();
		Map<String, Entry> blocks = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			String[] parts = lines[i].split(" ");
			try {
				if (parts[0].equals("+") && parts.length == 4) {
					blocks.put(decode(parts[1]), new Entry(Long.parseLong(parts[2]), Long.parseLong(parts[3])));
				}
				else if (parts[0].equals("-") && parts.length == 2) {
					blocks.remove(decode(parts[1]));
				}
				else if (parts.length == 2) {
					header.put(parts[0], parts[1]);
				}
			}
			catch (IllegalArgumentException ex) {
				// A line this version did not write: skipped, never guessed at.
			}
		}
		ProcessIdentity owner = owner(header);
		return (owner != null) ? new Contents(owner, blocks) : null;
	}

	private static @Nullable ProcessIdentity owner(Map<String, String> header) {
		try {
			return new ProcessIdentity(Long.parseLong(header.get("pid")), Long.parseLong(header.get("start")),
					dashToNull(header.get("boot")), dashToNull(header.get("pidns")),
					Integer.parseInt(header.get("uid")), decode(header.getOrDefault("user", "-")));
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static @Nullable String dashToNull(@Nullable String value) {
		return (value == null || value.equals("-")) ? null : value;
	}

	/**
	 * Returns the owner a record's, its temporary file's or a lock file's name stands
	 * for: the part after the prefix, without the temporary suffix; {@code null} for any
	 * other name.
	 */
	static @Nullable String ownerKey(String fileName) {
		String key;
		if (fileName.startsWith(FILE_PREFIX)) {
			key = fileName.substring(FILE_PREFIX.length());
		}
		else if (fileName.startsWith(LOCK_PREFIX)) {
			key = fileName.substring(LOCK_PREFIX.length());
		}
		else {
			return null;
		}
		if (key.endsWith(TEMPORARY_SUFFIX)) {
			key = key.substring(0, key.length() - TEMPORARY_SUFFIX.length());
		}
		return key.isEmpty() ? null : key;
	}

	/**
	 * Returns the name of the lock file of the owner of a record of the given name.
	 */
	static String lockFileName(String recordFileName) {
		return LOCK_PREFIX + ownerKey(recordFileName);
	}

	/**
	 * Returns the process a record's or a lock file's name says owns it, or {@code null}
	 * if the name is not an owner's: what judges a record whose header is incomplete.
	 */
	static @Nullable ProcessIdentity ownerFromFileName(String fileName, ProcessIdentity observer) {
		String key = ownerKey(fileName);
		if (key == null) {
			return null;
		}
		String[] parts = key.split("-");
		if (parts.length < 3) {
			return null;
		}
		try {
			// Assumed to be of the observer's boot and namespace: all a name can say.
			return new ProcessIdentity(Long.parseLong(parts[0]), Long.parseLong(parts[1]), observer.bootId(),
					observer.pidNamespace(), -1, null);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * A block as the record knows it.
	 *
	 * @param size its size in bytes when created
	 * @param inode the inode of its file: a file of the same name but another inode is
	 * not this block
	 */
	record Entry(long size, long inode) {

	}

	/**
	 * What a record says.
	 *
	 * @param owner the process that wrote it
	 * @param blocks the blocks it names, by name
	 */
	record Contents(ProcessIdentity owner, Map<String, Entry> blocks) {

	}

}
