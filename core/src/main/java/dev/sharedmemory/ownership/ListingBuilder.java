package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.DirectoryEntry;

/**
 * Builds a {@link DirectoryLister.Listing} of what a {@link DirectoryLister.Source} read
 * of each entry, the same way for every source: decodes each name as the JVM decodes file
 * names, keeps its bytes where that decoding is not faithful, and looks each owner's name
 * up once. One per listing, used by one thread.
 */
final class ListingBuilder {

	// st_blocks counts 512-byte units whatever the file system's block size (stat(2)).
	static final long STAT_BLOCK_SIZE = 512;

	/** The JVM's file name encoding: a name decodes here as a Path's would. */
	static final Charset FILE_NAMES = fileNameCharset();

	private static final int FILE_TYPE_MASK = 0170000;

	private static final int PERMISSION_MASK = 07777;

	private final Path directory;

	// Only names found: an owner that could not be looked up is tried again with the next
	// of its entries.
	private final Map<Integer, String> users = new HashMap<>();

	private final List<DirectoryLister.Stat> entries = new ArrayList<>();

	// Entries whose owner's name was not found when they were added: an entry whose name
	// is no Path's learns it from a later entry of the same user.
	private final List<Integer> unnamedOwners = new ArrayList<>();

	private int skipped;

	ListingBuilder(Path directory) {
		this.directory = directory;
	}

	/**
	 * Adds one entry.
	 * @param name a buffer that starts with the name's raw bytes
	 * @param nameLength the number of bytes of the name
	 * @param mode the file type and permission bits ({@code st_mode})
	 * @param inode the inode number
	 * @param allocatedBytes the bytes allocated, or {@code null} if unknown
	 * @param size the apparent size
	 * @param uid the owner's user id
	 * @param lastModified the last modification
	 */
	void add(byte[] name, int nameLength, int mode, long inode, @Nullable Long allocatedBytes, long size, int uid,
			Instant lastModified) {
		String decoded = new String(name, 0, nameLength, FILE_NAMES);
		String rawName = rawName(decoded, name, nameLength);
		// An undecodable name names no Path: its owner's name is looked up by another
		// entry, or stays the user id.
		String user = user(uid, (rawName != null) ? null : decoded);
		if (user == null) {
			this.unnamedOwners.add(this.entries.size());
			user = Integer.toString(uid);
		}
		this.entries.add(new DirectoryLister.Stat(decoded, rawName, type(mode), inode, allocatedBytes, size,
				mode & PERMISSION_MASK, uid, user, lastModified));
	}

	/**
	 * Counts an entry that vanished between the listing and its description, or could not
	 * be described.
	 */
	void skip() {
		this.skipped++;
	}

	/**
	 * Returns the listing of the entries added.
	 * @return the listing
	 */
	DirectoryLister.Listing listing() {
		for (int index : this.unnamedOwners) {
			DirectoryLister.Stat entry = this.entries.get(index);
			String user = this.users.get(entry.uid());
			if (user != null) {
				this.entries.set(index,
						new DirectoryLister.Stat(entry.name(), entry.rawName(), entry.type(), entry.inode(),
								entry.allocatedBytes(), entry.size(), entry.permissions(), entry.uid(), user,
								entry.lastModified()));
			}
		}
		return new DirectoryLister.Listing(this.entries, this.skipped);
	}

	/**
	 * Returns the name of the user with the given id (the user id if it has none), looked
	 * up by the owner of the named entry; {@code null} if it cannot be looked up.
	 */
	private @Nullable String user(int uid, @Nullable String entry) {
		String user = this.users.get(uid);
		if (user != null || entry == null) {
			return user;
		}
		try {
			Map<String, Object> owner = Files.readAttributes(this.directory.resolve(entry), "unix:uid,owner",
					LinkOption.NOFOLLOW_LINKS);
			// Another file may have taken the name since: only its own owner's name is
			// kept.
			if (((Number) owner.get("uid")).intValue() == uid) {
				user = ((UserPrincipal) owner.get("owner")).getName();
				this.users.put(uid, user);
				return user;
			}
		}
		catch (IOException ex) {
			// Gone since listed: the next entry of this user may tell.
		}
		return null;
	}

	/**
	 * Returns the kind of file a {@code st_mode} says.
	 */
	private static DirectoryEntry.Type type(int mode) {
		return switch (mode & FILE_TYPE_MASK) {
			case 0100000 -> DirectoryEntry.Type.REGULAR_FILE;
			case 0040000 -> DirectoryEntry.Type.DIRECTORY;
			case 0120000 -> DirectoryEntry.Type.SYMBOLIC_LINK;
			default -> DirectoryEntry.Type.OTHER;
		};
	}

	/**
	 * Returns the name's bytes, percent-encoded as a URI's path would hold them, when the
	 * decoded name may not be faithful (it holds U+FFFD).
	 */
	private static @Nullable String rawName(String name, byte[] bytes, int length) {
		if (name.indexOf('\uFFFD') < 0) {
			return null;
		}
		StringBuilder raw = new StringBuilder();
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

	private static Charset fileNameCharset() {
		try {
			return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
		}
		catch (RuntimeException ex) {
			return StandardCharsets.UTF_8;
		}
	}

}
