package dev.sharedmemory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Creates blocks and unlinks them all when it shuts down: Python's
 * {@code multiprocessing.managers.SharedMemoryManager}, in process. It tracks only what it created: a block it
 * merely attached to is never unlinked by it.
 * <p>
 * <strong>Crash safety.</strong> A process can die without shutting its manager down ({@code kill -9}, the OOM
 * killer), and its blocks would then stay in the directory until the machine reboots.
 * So, as PostgreSQL does with its segments, the manager keeps a record of what it created beside the blocks: a small
 * file, mode {@code 0600}, named {@code .psm-owner-<pid>-<start time>-<random>}, holding its process id and that
 * process's start time (so that a reused process id is not mistaken for it) and each block's name, size and inode.
 * Being in the same tmpfs, records and blocks vanish together at reboot. {@link #start()} (unless told not to) calls
 * {@link #reclaimOrphans()}, which unlinks the blocks named by records whose owner is gone, and only those: never a
 * block of a live owner (another instance running beside this one), never a block no record names (Python's, or one
 * created without a manager), never a file of another user, never a file that took a recorded name after the block
 * was gone. A record written in another pid namespace (a container that shares the directory, or an earlier run of
 * a restarted container) is left alone, since its process id means nothing here. {@link #shutdown()} removes the
 * record: a normal stop, or a {@code SIGTERM} that runs the JVM's shutdown hooks and through them
 * {@code shutdown()}, leaves none behind. A manager that does not unlink its blocks at shutdown hands them over
 * deliberately: it removes its record too, so that no later start reclaims them.
 * <p>
 * Thread-safe: many threads may create, attach and unlink through one manager while another lists its blocks. Use
 * before {@link #start()} or after {@link #shutdown()} throws {@link IllegalStateException}; a manager that was shut
 * down can be started again.
 */
public final class SharedMemoryManager implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(SharedMemoryManager.class.getName());

	private final SharedMemoryDirectory directory;

	private final boolean unlinkOnShutdown;

	private final boolean reclaimOrphans;

	private final Clock clock;

	// Creates blocks like the directory, and records each in the owner record the moment its name is taken.
	private final SharedMemoryDirectory recordingDirectory;

	private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

	// The same blocks kept oldest first, so that listing them is a walk, not a sort: a sort made the cost per block
	// of blocks() three to four times higher at 10,000 blocks than at 1,000.
	private final Set<Tracked> oldestFirst = new ConcurrentSkipListSet<>(
			Comparator.comparing((Tracked entry) -> entry.createdAt).thenComparing((entry) -> entry.block.name()));

	// Operations hold the read lock, so that shutdown, under the write lock, never misses a block created meanwhile.
	private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

	private final LongAdder[] successes = newCounters();

	private final LongAdder[] failures = newCounters();

	private final LongAdder reclaimedBlocks = new LongAdder();

	private final LongAdder reclaimedBytes = new LongAdder();

	// Replaced at each start; its own monitor serializes the writes to it.
	private volatile OwnerRecord record;

	private volatile boolean running;

	/**
	 * Creates a manager for blocks in {@link SharedMemoryDirectory#defaultDirectory()} that unlinks them at shutdown
	 * and reclaims orphaned blocks when it starts.
	 */
	public SharedMemoryManager() {
		this(SharedMemoryDirectory.defaultDirectory());
	}

	/**
	 * Creates a manager for blocks in the given directory that unlinks them at shutdown and reclaims orphaned blocks
	 * when it starts.
	 * @param directory where its blocks live
	 */
	public SharedMemoryManager(SharedMemoryDirectory directory) {
		this(directory, true);
	}

	/**
	 * Creates a manager for blocks in the given directory that reclaims orphaned blocks when it starts.
	 * @param directory where its blocks live
	 * @param unlinkOnShutdown whether {@link #shutdown()} unlinks the blocks or only closes this process's handles,
	 * leaving the blocks to outlive it
	 */
	public SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown) {
		this(directory, unlinkOnShutdown, true);
	}

	/**
	 * Creates a manager for blocks in the given directory.
	 * @param directory where its blocks live
	 * @param unlinkOnShutdown whether {@link #shutdown()} unlinks the blocks or only closes this process's handles,
	 * leaving the blocks to outlive it
	 * @param reclaimOrphans whether {@link #start()} calls {@link #reclaimOrphans()}
	 */
	public SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown, boolean reclaimOrphans) {
		this(directory, unlinkOnShutdown, reclaimOrphans, Clock.systemUTC());
	}

	SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown, Clock clock) {
		this(directory, unlinkOnShutdown, true, clock);
	}

	private SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown, boolean reclaimOrphans,
			Clock clock) {
		this.directory = directory;
		this.unlinkOnShutdown = unlinkOnShutdown;
		this.reclaimOrphans = reclaimOrphans;
		this.clock = clock;
		this.recordingDirectory = directory.withCreationListener(new Recorder());
	}

	/**
	 * Starts the manager; from then on it creates blocks. First, unless told not to, it reclaims the blocks of
	 * processes that died without unlinking them (see {@link #reclaimOrphans()}); a failure to do so is logged and
	 * does not stop it from starting.
	 */
	public void start() {
		this.lifecycle.writeLock().lock();
		try {
			if (this.running) {
				return;
			}
			ProcessIdentity self = ProcessIdentity.current();
			if (this.reclaimOrphans) {
				try {
					reclaimOrphans();
				}
				catch (SharedMemoryException ex) {
					logger.log(Level.WARNING, "Could not reclaim orphaned shared memory blocks: {0}",
							ex.getMessage());
				}
			}
			this.record = OwnerRecord.in(this.directory.path(), self);
			this.running = true;
		}
		finally {
			this.lifecycle.writeLock().unlock();
		}
	}

	/**
	 * Unlinks the blocks that processes which are gone created through a manager and did not unlink, as their
	 * records in the directory name them, and removes those records. Blocks of live processes (this one included),
	 * blocks no record names, files of other users and files that took a recorded name after its block was gone are
	 * left alone. What was unlinked is logged, with names and bytes, and counted ({@link #reclaimedBlocks()},
	 * {@link #reclaimedBytes()}). Works whether or not the manager is running.
	 * @return what was unlinked
	 * @throws SharedMemoryException if the directory cannot be listed; a record or a block that cannot be handled is
	 * logged and left for the next time
	 */
	public ReclaimedOrphans reclaimOrphans() {
		ReclaimedOrphans reclaimed = new OrphanReclaimer(this.directory.path(), ProcessIdentity.current()).reclaim();
		this.reclaimedBlocks.add(reclaimed.blockCount());
		this.reclaimedBytes.add(reclaimed.totalBytes());
		return reclaimed;
	}

	/**
	 * Tells whether {@link #start()} reclaims orphaned blocks.
	 * @return {@code true} if it does
	 */
	public boolean reclaimsOrphans() {
		return this.reclaimOrphans;
	}

	/**
	 * Returns how many orphaned blocks {@link #reclaimOrphans()} unlinked since the manager was made.
	 * @return the count
	 */
	public long reclaimedBlocks() {
		return this.reclaimedBlocks.sum();
	}

	/**
	 * Returns the bytes of the orphaned blocks {@link #reclaimOrphans()} unlinked since the manager was made.
	 * @return the sum of their sizes
	 */
	public long reclaimedBytes() {
		return this.reclaimedBytes.sum();
	}

	/**
	 * Tells whether the manager was started and not shut down since.
	 * @return {@code true} while running
	 */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Returns the directory the manager's blocks live in.
	 * @return the directory
	 */
	public SharedMemoryDirectory directory() {
		return this.directory;
	}

	/**
	 * Tells whether {@link #shutdown()} unlinks the blocks.
	 * @return {@code true} if it does
	 */
	public boolean unlinksOnShutdown() {
		return this.unlinkOnShutdown;
	}

	/**
	 * Creates a block under a generated name and tracks it.
	 * @param size the size in bytes, at least 1
	 * @return the block; closing it does not stop the manager tracking it
	 */
	public SharedMemory sharedMemory(long size) {
		return track(SharedMemoryOperation.CREATE, () -> {
			SharedMemory block = this.recordingDirectory.create(size);
			add(new Tracked(block, null, this.clock.instant()));
			return block;
		});
	}

	/**
	 * Creates a {@link ShareableList} under a generated name and tracks its block.
	 * @param items the items
	 * @return the list; closing it does not stop the manager tracking its block
	 */
	public ShareableList shareableList(List<?> items) {
		return track(SharedMemoryOperation.CREATE, () -> {
			ShareableList list = ShareableList.create(this.recordingDirectory, null, items);
			add(new Tracked(list.shm(), list, this.clock.instant()));
			return list;
		});
	}

	/**
	 * Attaches to an existing block, without tracking it: the manager never unlinks it.
	 * @param name the block's name
	 * @return the block
	 * @throws IllegalArgumentException if the name is invalid (counted as nothing)
	 */
	public SharedMemory attach(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		return track(SharedMemoryOperation.ATTACH, () -> this.directory.attach(checked));
	}

	/**
	 * Returns what the manager tracks now, oldest first.
	 * @return an immutable snapshot
	 */
	public List<ManagedBlock> blocks() {
		List<ManagedBlock> blocks = new ArrayList<>(this.tracked.size());
		for (Tracked entry : this.oldestFirst) {
			blocks.add(entry.describe());
		}
		return List.copyOf(blocks);
	}

	/**
	 * Returns what the manager knows of one block it tracks.
	 * @param name the block's name, with or without a leading slash
	 * @return the block, or empty if the manager does not track that name
	 * @throws IllegalArgumentException if the name is invalid
	 */
	public Optional<ManagedBlock> block(String name) {
		Tracked entry = this.tracked.get(SharedMemoryDirectory.checkName(name));
		return Optional.ofNullable(entry).map(Tracked::describe);
	}

	/**
	 * Returns the number of blocks the manager tracks.
	 * @return the count
	 */
	public int blockCount() {
		return this.tracked.size();
	}

	/**
	 * Returns the sum of the sizes of the blocks the manager tracks.
	 * @return the bytes
	 */
	public long totalBytes() {
		long total = 0;
		for (Tracked entry : this.tracked.values()) {
			total += entry.block.size();
		}
		return total;
	}

	/**
	 * Unlinks a block the manager created, closes its handle and stops tracking it. A block the manager did not
	 * create is left alone. If unlinking fails, the manager keeps tracking the block, so that shutdown tries again.
	 * @param name the block's name, with or without a leading slash
	 * @return {@code true} if the manager tracked the block, {@code false} if it did not
	 * @throws IllegalArgumentException if the name is invalid
	 */
	public boolean unlink(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		return track(SharedMemoryOperation.UNLINK, () -> {
			Tracked entry = remove(checked);
			if (entry == null) {
				count(SharedMemoryOperation.UNLINK, false);
				return false;
			}
			try {
				release(entry, true);
			}
			catch (SharedMemoryException ex) {
				// The block is still there and still the manager's: shutdown tries again.
				add(entry);
				throw ex;
			}
			recordRemoval(checked);
			return true;
		});
	}

	/**
	 * Stops the manager: closes every handle it holds and, unless told otherwise, unlinks every block it created.
	 * Idempotent. A block someone else unlinked already is skipped; any other failure is thrown once every block was
	 * tried.
	 */
	public void shutdown() {
		this.lifecycle.writeLock().lock();
		try {
			if (!this.running) {
				return;
			}
			this.running = false;
			SharedMemoryException failure = null;
			List<String> left = new ArrayList<>();
			for (Tracked entry : List.copyOf(this.tracked.values())) {
				remove(entry.block.name());
				try {
					release(entry, this.unlinkOnShutdown);
				}
				catch (SharedMemoryException ex) {
					logger.log(Level.WARNING, "Could not unlink shared memory block ''{0}'' at shutdown: {1}",
							entry.block.name(), ex.getMessage());
					left.add(entry.block.name());
					if (failure == null) {
						failure = ex;
					}
					else {
						failure.addSuppressed(ex);
					}
				}
			}
			// Blocks handed over (no unlink at shutdown) are no orphans. Blocks that could not be unlinked stay
			// recorded, so that a start after this process is gone tries again.
			OwnerRecord ended = this.record;
			synchronized (ended) {
				ended.retainOnly(left);
			}
			if (failure != null) {
				throw failure;
			}
		}
		finally {
			this.lifecycle.writeLock().unlock();
		}
	}

	/**
	 * Same as {@link #shutdown()}.
	 */
	@Override
	public void close() {
		shutdown();
	}

	/**
	 * Returns how many times an operation ended with the given outcome since the manager was made. An
	 * {@link #unlink(String)} of a name the manager does not track counts as a failed {@code UNLINK}; a call refused
	 * because the manager is not running, or for an invalid name, counts nothing.
	 * @param operation the operation
	 * @param success {@code true} for successes, {@code false} for failures
	 * @return the count
	 */
	public long operationCount(SharedMemoryOperation operation, boolean success) {
		return (success ? this.successes : this.failures)[operation.ordinal()].sum();
	}

	private void add(Tracked entry) {
		this.tracked.put(entry.block.name(), entry);
		this.oldestFirst.add(entry);
	}

	private Tracked remove(String name) {
		Tracked entry = this.tracked.remove(name);
		if (entry != null) {
			this.oldestFirst.remove(entry);
		}
		return entry;
	}

	private void recordRemoval(String name) {
		OwnerRecord current = this.record;
		synchronized (current) {
			current.remove(name);
		}
	}

	private void release(Tracked entry, boolean unlink) {
		// Unlink before closing: unlinking needs no mapping, and a close that fails (on JDK 22 and later while another
		// thread's I/O uses one of the block's views) must not leave the block behind.
		if (unlink) {
			try {
				this.directory.unlink(entry.block.name());
				count(SharedMemoryOperation.UNLINK, true);
			}
			catch (SharedMemoryNotFoundException ex) {
				// Unlinked by its handle or by another process: what shutdown wanted is done.
				count(SharedMemoryOperation.UNLINK, true);
			}
			catch (SharedMemoryException ex) {
				count(SharedMemoryOperation.UNLINK, false);
				throw ex;
			}
		}
		if (!entry.block.isClosed()) {
			try {
				entry.block.close();
				count(SharedMemoryOperation.CLOSE, true);
			}
			catch (IllegalStateException ex) {
				count(SharedMemoryOperation.CLOSE, false);
				logger.log(Level.WARNING, "Could not close shared memory block ''{0}'': {1}", entry.block.name(),
						ex.getMessage());
			}
		}
	}

	private <T> T track(SharedMemoryOperation operation, Supplier<T> action) {
		this.lifecycle.readLock().lock();
		try {
			if (!this.running) {
				throw new IllegalStateException("SharedMemoryManager for " + this.directory.path()
						+ " is not running: call start() first (or it was shut down)");
			}
			T result;
			try {
				result = action.get();
			}
			catch (RuntimeException ex) {
				if (operation != SharedMemoryOperation.UNLINK) {
					count(operation, false);
				}
				throw ex;
			}
			if (operation != SharedMemoryOperation.UNLINK) {
				count(operation, true);
			}
			return result;
		}
		finally {
			this.lifecycle.readLock().unlock();
		}
	}

	private void count(SharedMemoryOperation operation, boolean success) {
		(success ? this.successes : this.failures)[operation.ordinal()].increment();
	}

	private static LongAdder[] newCounters() {
		LongAdder[] counters = new LongAdder[SharedMemoryOperation.values().length];
		for (int i = 0; i < counters.length; i++) {
			counters[i] = new LongAdder();
		}
		return counters;
	}

	/**
	 * Returns the file of the owner record of the manager's current run, for tests; it exists only once a block was
	 * created.
	 */
	Path ownerRecord() {
		return this.record.file();
	}

	@Override
	public String toString() {
		return "SharedMemoryManager[" + this.directory.path() + ", " + this.tracked.size() + " blocks, "
				+ (this.running ? "running" : "stopped") + "]";
	}

	/**
	 * Records each block the manager's directory creates, before anything else happens to it.
	 */
	private final class Recorder implements SharedMemoryDirectory.CreationListener {

		@Override
		public void created(String name, long size, Path file) {
			long inode;
			try {
				inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
			}
			catch (IOException ex) {
				throw new SharedMemoryException(
						"Cannot create shared memory block '" + name + "': cannot read its inode: " + ex.getMessage(),
						ex);
			}
			OwnerRecord current = SharedMemoryManager.this.record;
			synchronized (current) {
				current.add(name, size, inode);
			}
		}

		@Override
		public void abandoned(String name) {
			recordRemoval(name);
		}

	}

	/**
	 * A block the manager created, with the handle it returned.
	 */
	private static final class Tracked {

		private final SharedMemory block;

		private final ShareableList list;

		private final Instant createdAt;

		Tracked(SharedMemory block, ShareableList list, Instant createdAt) {
			this.block = block;
			this.list = list;
			this.createdAt = createdAt;
		}

		ManagedBlock describe() {
			if (this.list == null) {
				return new ManagedBlock(this.block.name(), this.block.size(), BlockKind.SHARED_MEMORY, this.createdAt,
						-1, null);
			}
			return new ManagedBlock(this.block.name(), this.block.size(), BlockKind.SHAREABLE_LIST, this.createdAt,
					this.list.size(), formatOrNull());
		}

		/**
		 * The list's format, or null where it cannot be read: its handle was closed (perhaps by another thread just
		 * now), or an item holds what CPython never writes. One list must not break the description of all.
		 */
		private String formatOrNull() {
			if (this.block.isClosed()) {
				return null;
			}
			try {
				return this.list.format();
			}
			catch (IllegalStateException | InvalidShareableListException ex) {
				return null;
			}
		}

	}

}
