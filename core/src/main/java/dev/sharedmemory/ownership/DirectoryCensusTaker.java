package dev.sharedmemory.ownership;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.EntryCategory;
import dev.sharedmemory.SharedMemoryException;

/**
 * Takes a {@link DirectoryCensus} of a blocks' directory: lists every entry, describes
 * each from one {@code lstat(2)} (never following a link), and tells who manages each
 * block by the owner records beside them, judged by exactly the {@link OrphanReclaimer}'s
 * rules: a block is orphaned if and only if a reclaim now would unlink it.
 * <p>
 * The JDK does not give a file's allocated blocks ({@code st_blocks}), which is what
 * tells the memory a block really holds from its apparent size. They are read, for the
 * whole directory at once, from one {@code find} process that prints only inode numbers
 * and block counts (so no name ever goes through a parser), joined to the listing by
 * inode. Where {@code find} is missing (a distroless image) or fails, each entry's
 * allocation is {@code null}.
 * <p>
 * Entries are hostile input: a name is kept as the JVM decodes it and never interpreted;
 * an entry that vanishes or changes between the listing and its {@code lstat(2)} is
 * described as {@code lstat(2)} found it, or skipped and counted. Nothing here logs a
 * name.
 */
public final class DirectoryCensusTaker {

	private static final System.Logger logger = System.getLogger(DirectoryCensusTaker.class.getName());

	private static final String ATTRIBUTES = "unix:mode,uid,ino,size,lastModifiedTime";

	private static final int FILE_TYPE_MASK = 0170000;

	private static final int REGULAR_FILE = 0100000;

	private static final int DIRECTORY = 0040000;

	private static final int SYMBOLIC_LINK = 0120000;

	private static final int PERMISSION_MASK = 07777;

	// st_blocks counts 512-byte units whatever the file system's block size (stat(2)).
	private static final long STAT_BLOCK_SIZE = 512;

	private static final long FIND_TIMEOUT_SECONDS = 10;

	private final Path directory;

	private final ProcessIdentity self;

	private final Clock clock;

	private final Consumer<Path> beforeStat;

	// Judges owners and blocks: the census and a reclaim never disagree on what is
	// orphaned.
	private final OrphanReclaimer reclaimer;

	/**
	 * Creates a census taker for the given directory, judging owners from this process.
	 * @param directory the directory of the blocks and records
	 */
	public DirectoryCensusTaker(Path directory) {
		this(directory, ProcessIdentity.current(), Clock.systemUTC(), (entry) -> {
		});
	}

	DirectoryCensusTaker(Path directory, ProcessIdentity self, Clock clock, Consumer<Path> beforeStat) {
		this.directory = directory;
		this.self = self;
		this.clock = clock;
		this.beforeStat = beforeStat;
		this.reclaimer = new OrphanReclaimer(directory, self);
	}

	/**
	 * Takes the census.
	 * @return every entry of the directory and the totals by category
	 * @throws SharedMemoryException if the directory cannot be listed
	 */
	public DirectoryCensus take() {
		Process allocation = startFind();
		List<Listed> listed = new ArrayList<>();
		Map<String, OrphanReclaimer.OwnerFiles> owners = new TreeMap<>();
		int skipped = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.directory)) {
			for (Path entry : entries) {
				this.beforeStat.accept(entry);
				try {
					listed.add(new Listed(entry, Files.readAttributes(entry, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS)));
					OrphanReclaimer.OwnerFiles.add(owners, entry);
				}
				catch (IOException ex) {
					// Vanished since listed, or unreadable: counted, never guessed at.
					skipped++;
				}
			}
		}
		catch (IOException ex) {
			if (allocation != null) {
				allocation.destroy();
			}
			throw new SharedMemoryException("Cannot take a census of " + this.directory + ": " + ex.getMessage(), ex);
		}
		Map<String, Recorded> recorded = recordedBlocks(owners);
		Map<Long, Long> allocated = readAllocation(allocation);
		Map<Integer, String> users = new HashMap<>();
		Map<EntryCategory, DirectoryCensus.Totals> totals = new EnumMap<>(EntryCategory.class);
		for (EntryCategory category : EntryCategory.values()) {
			totals.put(category, DirectoryCensus.Totals.NONE);
		}
		List<DirectoryEntry> described = new ArrayList<>(listed.size());
		for (Listed entry : listed) {
			DirectoryEntry description = describe(entry, recorded, allocated, users);
			described.add(description);
			totals.put(description.category(), totals.get(description.category()).plus(description));
		}
		return new DirectoryCensus(this.directory.toString(), this.clock.instant(), totals, skipped, described);
	}

	/**
	 * Judges every owner and returns the blocks their records name, by name.
	 */
	private Map<String, Recorded> recordedBlocks(Map<String, OrphanReclaimer.OwnerFiles> owners) {
		Map<String, Recorded> recorded = new HashMap<>();
		for (OrphanReclaimer.OwnerFiles files : owners.values()) {
			try (OrphanReclaimer.Judgement judgement = this.reclaimer.judge(files)) {
				for (OwnerRecord.Contents contents : judgement.contents().values()) {
					for (Map.Entry<String, OwnerRecord.Entry> block : contents.blocks().entrySet()) {
						recorded.put(block.getKey(),
								new Recorded(contents.owner(), block.getValue(), judgement.liveness()));
					}
				}
			}
			catch (IOException ex) {
				// Left as if it had no record: its blocks show as unmanaged, as the
				// reclaimer leaves them.
				logger.log(Level.DEBUG, "Could not judge a shared memory owner in {0}: {1}", this.directory,
						ex.getClass().getName());
			}
		}
		return recorded;
	}

	private DirectoryEntry describe(Listed entry, Map<String, Recorded> recorded, Map<Long, Long> allocated,
			Map<Integer, String> users) {
		Map<String, Object> attributes = entry.attributes();
		int mode = ((Number) attributes.get("mode")).intValue();
		int uid = ((Number) attributes.get("uid")).intValue();
		long inode = ((Number) attributes.get("ino")).longValue();
		long size = ((Number) attributes.get("size")).longValue();
		String name = entry.path().getFileName().toString();
		DirectoryEntry.Type type = type(mode);
		EntryCategory category;
		DirectoryEntry.Owner owner = null;
		Recorded recordedBlock = recorded.get(name);
		if (type != DirectoryEntry.Type.REGULAR_FILE) {
			category = EntryCategory.NOT_A_BLOCK;
		}
		else if (OwnerRecord.isOwnerFile(name)) {
			category = EntryCategory.BOOKKEEPING;
		}
		else if (recordedBlock != null && this.reclaimer.isRecordedBlock(attributes, recordedBlock.entry())) {
			category = category(recordedBlock);
			owner = owner(recordedBlock);
		}
		else {
			category = EntryCategory.UNMANAGED;
		}
		return new DirectoryEntry(name, rawName(entry.path(), name), type, size, allocated.get(inode), uid,
				users.computeIfAbsent(uid, (id) -> userName(entry.path(), id)),
				String.format("%04o", mode & PERMISSION_MASK),
				((FileTime) attributes.get("lastModifiedTime")).toInstant(), category, owner);
	}

	private EntryCategory category(Recorded recordedBlock) {
		if (recordedBlock.owner().isSameProcess(this.self)) {
			return EntryCategory.APPLICATION;
		}
		return (recordedBlock.liveness() == ProcessIdentity.Liveness.GONE) ? EntryCategory.ORPHANED
				: EntryCategory.OTHER_MANAGER;
	}

	private DirectoryEntry.Owner owner(Recorded recordedBlock) {
		ProcessIdentity owner = recordedBlock.owner();
		Boolean samePidNamespace = (owner.pidNamespace() != null)
				? owner.pidNamespace().equals(this.self.pidNamespace()) : null;
		Boolean alive = switch (recordedBlock.liveness()) {
			case ALIVE -> true;
			case GONE -> false;
			case UNKNOWN -> null;
		};
		return new DirectoryEntry.Owner(owner.pid(), owner.user(), samePidNamespace, alive);
	}

	private static DirectoryEntry.Type type(int mode) {
		return switch (mode & FILE_TYPE_MASK) {
			case REGULAR_FILE -> DirectoryEntry.Type.REGULAR_FILE;
			case DIRECTORY -> DirectoryEntry.Type.DIRECTORY;
			case SYMBOLIC_LINK -> DirectoryEntry.Type.SYMBOLIC_LINK;
			default -> DirectoryEntry.Type.OTHER;
		};
	}

	/**
	 * Returns the name's bytes, percent-encoded, when the decoded name may not be
	 * faithful: the JDK keeps a file name's bytes and its URI encodes them, where the
	 * string replaces those it cannot decode.
	 */
	private static @Nullable String rawName(Path entry, String name) {
		if (name.indexOf('\uFFFD') < 0) {
			return null;
		}
		String uri = entry.toUri().getRawPath();
		if (uri.endsWith("/")) {
			uri = uri.substring(0, uri.length() - 1);
		}
		return uri.substring(uri.lastIndexOf('/') + 1);
	}

	private static String userName(Path entry, int uid) {
		try {
			return Files.getOwner(entry, LinkOption.NOFOLLOW_LINKS).getName();
		}
		catch (IOException ex) {
			return Integer.toString(uid);
		}
	}

	/**
	 * Starts the one process that reads every entry's allocated blocks, or returns
	 * {@code null} if it cannot start.
	 */
	private @Nullable Process startFind() {
		try {
			return new ProcessBuilder("find", this.directory.toString(), "-mindepth", "1", "-maxdepth", "1", "-printf",
					"%i %b\\n")
				.redirectError(ProcessBuilder.Redirect.DISCARD)
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
				.start();
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.DEBUG, "Cannot start find to read allocated blocks: {0}", ex.getMessage());
			return null;
		}
	}

	/**
	 * Reads the allocated bytes by inode that {@code find} printed, one
	 * {@code <inode> <blocks>} line per entry.
	 */
	private static Map<Long, Long> readAllocation(@Nullable Process find) {
		if (find == null) {
			return Map.of();
		}
		Map<Long, Long> allocated = new HashMap<>();
		try (InputStream output = find.getInputStream()) {
			String text = new String(output.readAllBytes(), StandardCharsets.US_ASCII);
			int start = 0;
			for (int end = text.indexOf('\n'); end >= 0; start = end + 1, end = text.indexOf('\n', start)) {
				int space = text.indexOf(' ', start);
				if (space > start && space < end) {
					allocated.put(Long.parseLong(text, start, space, 10),
							Long.parseLong(text, space + 1, end, 10) * STAT_BLOCK_SIZE);
				}
			}
			if (!find.waitFor(FIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				find.destroyForcibly();
			}
		}
		catch (IOException | NumberFormatException ex) {
			logger.log(Level.DEBUG, "Cannot read allocated blocks from find: {0}", ex.getMessage());
			find.destroyForcibly();
			return Map.of();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			find.destroyForcibly();
		}
		return allocated;
	}

	private record Listed(Path path, Map<String, Object> attributes) {

	}

	private record Recorded(ProcessIdentity owner, OwnerRecord.Entry entry, ProcessIdentity.Liveness liveness) {

	}

}
