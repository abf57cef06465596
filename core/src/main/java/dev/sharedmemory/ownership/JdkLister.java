package dev.sharedmemory.ownership;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lists a directory with the JDK alone: reads it, then one {@code lstat(2)} per entry,
 * and no allocation, which the JDK cannot read ({@code st_blocks}). It lists wherever the
 * directory can be listed at all, so it is the last resort of a {@link DirectoryLister}.
 */
final class JdkLister implements DirectoryLister.Source {

	@Override
	public DirectoryLister.Listing list(Path directory, Runnable whileListing) throws IOException {
		List<Path> entries = new ArrayList<>();
		try (DirectoryStream<Path> listed = Files.newDirectoryStream(directory)) {
			listed.forEach(entries::add);
		}
		whileListing.run();
		ListingBuilder builder = new ListingBuilder(directory);
		for (Path entry : entries) {
			try {
				add(entry, builder);
			}
			catch (IOException ex) {
				// Vanished since listed, or unreadable: counted, never guessed at.
				builder.skip();
			}
		}
		return builder.listing();
	}

	private static void add(Path entry, ListingBuilder builder) throws IOException {
		Map<String, Object> attributes = Files.readAttributes(entry, "unix:mode,uid,ino,size,lastModifiedTime",
				LinkOption.NOFOLLOW_LINKS);
		byte[] name = nameBytes(entry);
		builder.add(name, name.length, ((Number) attributes.get("mode")).intValue(),
				((Number) attributes.get("ino")).longValue(), null, ((Number) attributes.get("size")).longValue(),
				((Number) attributes.get("uid")).intValue(),
				((FileTime) attributes.get("lastModifiedTime")).toInstant());
	}

	/**
	 * Returns the bytes of an entry's name. A name that did not decode is read back from
	 * its URI, the one form in which the JDK shows its bytes (each byte that is not plain
	 * ASCII percent-encoded).
	 */
	private static byte[] nameBytes(Path entry) {
		String name = entry.getFileName().toString();
		if (name.indexOf('\uFFFD') < 0) {
			return name.getBytes(ListingBuilder.FILE_NAMES);
		}
		String uri = entry.toUri().getRawPath();
		uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
		String raw = uri.substring(uri.lastIndexOf('/') + 1);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
		for (int i = 0; i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (c == '%') {
				bytes.write(Integer.parseInt(raw, i + 1, i + 3, 16));
				i += 2;
			}
			else {
				bytes.write(c);
			}
		}
		return bytes.toByteArray();
	}

}
