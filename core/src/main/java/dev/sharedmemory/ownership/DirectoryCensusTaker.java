package dev.sharedmemory.ownership;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.EntryCategory;
import dev.sharedmemory.SharedMemoryException;

/**
 * Takes a {@link DirectoryCensus} of a blocks' directory: lists every entry as
 * {@code lstat(2)} describes it (never following a link), and tells who manages each
 * block by the owner records beside them, judged by exactly the {@link OrphanReclaimer}'s
 * rules: a block is orphaned if and only if a reclaim now would unlink it.
 * <p>
 * The listing describes every entry, allocated blocks included, with one {@code statx(2)}
 * each through the foreign function API where it can, else with one {@code find} process
 * (see {@link DirectoryLister}); each owner's records are read once. So a census costs a
 * pass over the entries, whatever their number.
 * <p>
 * Entries are hostile input: a name is kept as the JVM decodes it and never interpreted;
 * an entry that vanishes or changes between the listing and its {@code lstat(2)} is
 * described as {@code lstat(2)} found it, or skipped and counted. Nothing here logs a
 * name.
 */
public final class DirectoryCensusTaker {

	private static final System.Logger logger = System.getLogger(DirectoryCensusTaker.class.getName());

	private final Path directory;

	private final ProcessIdentity self;

	private final Clock clock;

	private final DirectoryLister lister;

	// Judges owners and blocks: the census and a reclaim never disagree on what is
	// orphaned.
	private final OrphanReclaimer reclaimer;

	/**
	 * Creates a census taker for the given directory, judging owners from this process.
	 * @param directory the directory of the blocks and records
	 */
	public DirectoryCensusTaker(Path directory) {
		this(directory, ProcessIdentity.current(), Clock.systemUTC(), DirectoryLister.of(directory));
	}

	DirectoryCensusTaker(Path directory, ProcessIdentity self, Clock clock, DirectoryLister lister) {
		this.directory = directory;
		this.self = self;
		this.clock = clock;
		this.lister = lister;
		this.reclaimer = new OrphanReclaimer(directory, self);
	}

	/**
	 * Takes the census.
	 * @return every entry of the directory and the totals by category
	 * @throws SharedMemoryException if the directory cannot be listed
	 */
	public DirectoryCensus take() {
		DirectoryLister.Listing listing;
		try {
			listing = this.lister.list();
		}
		catch (IOException ex) {
			throw new SharedMemoryException("Cannot take a census of " + this.directory + ": " + ex.getMessage(), ex);
		}
		Map<String, OrphanReclaimer.OwnerFiles> owners = new TreeMap<>();
		for (DirectoryLister.Stat entry : listing.entries()) {
			if (OwnerRecord.ownerKey(entry.name()) != null) {
				OrphanReclaimer.OwnerFiles.add(owners, this.directory.resolve(entry.name()));
			}
		}
		Map<String, Recorded> recorded = recordedBlocks(owners);
		Map<EntryCategory, DirectoryCensus.Totals> totals = new EnumMap<>(EntryCategory.class);
		for (EntryCategory category : EntryCategory.values()) {
			totals.put(category, DirectoryCensus.Totals.NONE);
		}
		List<DirectoryEntry> described = new ArrayList<>(listing.entries().size());
		for (DirectoryLister.Stat entry : listing.entries()) {
			DirectoryEntry description = describe(entry, recorded);
			described.add(description);
			totals.put(description.category(), totals.get(description.category()).plus(description));
		}
		return new DirectoryCensus(this.directory.toString(), this.clock.instant(), totals, listing.skipped(),
				described);
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

	private DirectoryEntry describe(DirectoryLister.Stat entry, Map<String, Recorded> recorded) {
		EntryCategory category;
		DirectoryEntry.Owner owner = null;
		Recorded recordedBlock;
		if (entry.type() != DirectoryEntry.Type.REGULAR_FILE) {
			category = EntryCategory.NOT_A_BLOCK;
		}
		else if (OwnerRecord.isOwnerFile(entry.name())) {
			category = EntryCategory.BOOKKEEPING;
		}
		else if ((recordedBlock = recorded.get(entry.name())) != null && this.reclaimer.isOurs(entry.uid())
				&& this.reclaimer.isRecordedBlock(entry.inode(), entry.size(), recordedBlock.entry())) {
			category = category(recordedBlock);
			owner = owner(recordedBlock);
		}
		else {
			category = EntryCategory.UNMANAGED;
		}
		return new DirectoryEntry(entry.name(), entry.rawName(), entry.type(), entry.size(), entry.allocatedBytes(),
				entry.uid(), entry.user(), mode(entry.permissions()), entry.lastModified(), category, owner);
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

	/**
	 * Returns permission bits in octal, such as {@code 0600}.
	 */
	private static String mode(int permissions) {
		char[] digits = new char[4];
		for (int i = digits.length - 1, rest = permissions; i >= 0; i--, rest >>>= 3) {
			digits[i] = (char) ('0' + (rest & 7));
		}
		return new String(digits);
	}

	private record Recorded(ProcessIdentity owner, OwnerRecord.Entry entry, ProcessIdentity.Liveness liveness) {

	}

}
