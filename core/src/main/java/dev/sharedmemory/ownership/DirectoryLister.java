package dev.sharedmemory.ownership;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.DirectoryEntry;

/**
 * Lists a directory with what {@code lstat(2)} says of each entry (never following a
 * link), for a {@link DirectoryCensusTaker}.
 * <p>
 * Its {@link Source sources} are tried in order, and the first that can list the
 * directory does: by default the system calls themselves through the foreign function API
 * ({@link NativeLister}, on JDK 22 and later when native access is enabled), then
 * {@code find} ({@link FindLister}), then the JDK alone ({@link JdkLister}), which always
 * can but does not know the allocated blocks. All of them describe an entry with the same
 * {@link ListingBuilder}, so a name or a field reads the same whichever listed it.
 */
final class DirectoryLister {

	private static final System.Logger logger = System.getLogger(DirectoryLister.class.getName());

	private final Path directory;

	private final List<Source> sources;

	private final Runnable whileListing;

	/**
	 * Creates a lister of the given directory that tries the given sources, then the JDK.
	 * @param directory the directory
	 * @param sources the sources to try before the JDK, in order
	 * @param whileListing run once the directory is read and before every entry is
	 * described: a seam for tests of races
	 */
	DirectoryLister(Path directory, List<Source> sources, Runnable whileListing) {
		this.directory = directory;
		this.sources = new ArrayList<>(sources);
		this.sources.add(new JdkLister());
		this.whileListing = whileListing;
	}

	/**
	 * Creates the lister of the given directory that a census uses: the foreign function
	 * one where it is available and native access is enabled, else {@code find}, else the
	 * JDK.
	 * @param directory the directory
	 * @return the lister
	 */
	static DirectoryLister of(Path directory) {
		List<Source> sources = new ArrayList<>(2);
		NativeLister nativeLister = NativeLister.ifEnabled();
		if (nativeLister != null) {
			sources.add(nativeLister);
		}
		sources.add(new FindLister("find"));
		return new DirectoryLister(directory, sources, () -> {
		});
	}

	/**
	 * Lists the directory.
	 * @return every entry, as {@code lstat(2)} found it, and the number skipped
	 * @throws IOException if the directory cannot be listed
	 */
	Listing list() throws IOException {
		// Fails as the JDK would, with its message, when there is nothing to list.
		Files.newDirectoryStream(this.directory).close();
		for (Source source : this.sources) {
			Listing listing = source.list(this.directory, this.whileListing);
			if (listing != null) {
				return listing;
			}
			logger.log(Level.DEBUG, "{0} could not list the directory, trying the next way",
					source.getClass().getSimpleName());
		}
		throw new IllegalStateException("The JDK lists any directory or throws");
	}

	/**
	 * One way of listing a directory.
	 */
	interface Source {

		/**
		 * Lists a directory.
		 * @param directory the directory
		 * @param whileListing run once the directory is read and before every entry is
		 * described
		 * @return every entry and the number skipped, or {@code null} if this source
		 * cannot list here and the next one should
		 * @throws IOException if the directory cannot be listed at all
		 */
		@Nullable Listing list(Path directory, Runnable whileListing) throws IOException;

	}

	/**
	 * A directory's entries and how many were skipped.
	 *
	 * @param entries the entries, in the order their source listed them
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
