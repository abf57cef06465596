package dev.sharedmemory;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ownership.OrphanReclaimer;
import dev.sharedmemory.ownership.OwnerRecord;

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
 * was gone. Whether an owner is gone is told by a lock it holds while it lives on a file beside its record, which the
 * kernel releases at any death: it holds in every pid namespace that shares the directory, so a container restarted
 * on the same tmpfs reclaims what its previous run left, and never touches what a live container holds.
 * {@link #shutdown()} removes the
 * record: a normal stop, or a {@code SIGTERM} that runs the JVM's shutdown hooks and through them
 * {@code shutdown()}, leaves none behind. A manager that does not unlink its blocks at shutdown hands them over
 * deliberately: it removes its record too, so that no later start reclaims them.
 * <p>
 * Thread-safe: many threads may create, attach and unlink through one manager while another lists its blocks. Use
 * before {@link #start()} or after {@link #shutdown()} throws {@link IllegalStateException}; a manager that was shut
 * down can be started again. {@code new SharedMemoryManager()} manages the default directory with the defaults;
 * {@link #builder()} configures any other:
 * <pre class="code">
 * SharedMemoryManager manager = SharedMemoryManager.builder().directory(directory).reclaimOrphans(false).build();
 * </pre>
 */
public final class SharedMemoryManager implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(SharedMemoryManager.class.getName());

	private final SharedMemoryDirectory directory;

	private final boolean unlinkOnShutdown;

	private final boolean reclaimOrphans;

	private final Clock clock;

	private final BlockRegistry registry = new BlockRegistry();

	private final OperationCounters counters = new OperationCounters();

	// Records each block the moment its name is taken, before it is sized: a crash from then on leaves it known.
	private final SharedMemoryDirectory.CreationListener recorder = new Recorder();

	// Operations hold the read lock, so that shutdown, under the write lock, never misses a block created meanwhile.
	private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

	// Replaced at each start.
	private volatile @Nullable OwnerRecord record;

	private volatile boolean running;

	/**
	 * Creates a manager for blocks in {@link SharedMemoryDirectory#defaultDirectory()} that unlinks them at shutdown
	 * and reclaims orphaned blocks when it starts; {@link #builder()} configures another.
	 * @throws UnsupportedOperationException on a platform other than Linux
	 */
	public SharedMemoryManager() {
		this(builder());
	}

	private SharedMemoryManager(Builder builder) {
		this.directory = (builder.directory != null) ? builder.directory : SharedMemoryDirectory.defaultDirectory();
		this.unlinkOnShutdown = builder.unlinkOnShutdown;
		this.reclaimOrphans = builder.reclaimOrphans;
		this.clock = builder.clock;
	}

	/**
	 * Returns a builder of a manager, set to what {@code new SharedMemoryManager()} makes.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
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
			if (this.reclaimOrphans) {
				try {
					reclaimOrphans();
				}
				catch (SharedMemoryException ex) {
					logger.log(Level.WARNING, "Could not reclaim orphaned shared memory blocks: {0}",
							ex.getMessage());
				}
			}
			this.record = OwnerRecord.forCurrentProcess(this.directory.path());
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
		ReclaimedOrphans reclaimed = new OrphanReclaimer(this.directory.path()).reclaim();
		this.counters.reclaimed(reclaimed);
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
		return this.counters.reclaimedBlocks();
	}

	/**
	 * Returns the bytes of the orphaned blocks {@link #reclaimOrphans()} unlinked since the manager was made.
	 * @return the sum of their sizes
	 */
	public long reclaimedBytes() {
		return this.counters.reclaimedBytes();
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
		return whileRunning(() -> this.counters.counted(SharedMemoryOperation.CREATE, () -> {
			SharedMemory block = this.directory.create(size, this.recorder);
			this.registry.add(new BlockRegistry.Entry(block, null, this.clock.instant(), null));
			return block;
		}));
	}

	/**
	 * Creates a {@link ShareableList} under a generated name and tracks its block.
	 * @param items the items
	 * @return the list; closing it does not stop the manager tracking its block
	 */
	public ShareableList shareableList(List<?> items) {
		return whileRunning(() -> this.counters.counted(SharedMemoryOperation.CREATE, () -> {
			ShareableList list = ShareableList.create(items, (size) -> this.directory.create(size, this.recorder));
			this.registry.add(new BlockRegistry.Entry(list.shm(), list, this.clock.instant(), null));
			return list;
		}));
	}

	/**
	 * Attaches to an existing block and counts it, without tracking it: the manager never unlinks or closes it.
	 * @param name the block's name
	 * @return the block
	 * @throws IllegalArgumentException if the name is invalid (counted as nothing)
	 */
	public SharedMemory attach(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		return whileRunning(() -> this.counters.counted(SharedMemoryOperation.ATTACH,
				() -> this.directory.attach(checked)));
	}

	/**
	 * Returns what the manager tracks now, oldest first.
	 * @return an immutable snapshot
	 */
	public List<ManagedBlock> blocks() {
		return this.registry.describeOldestFirst();
	}

	/**
	 * Returns what the manager knows of one block it tracks.
	 * @param name the block's name, with or without a leading slash
	 * @return the block, or empty if the manager does not track that name
	 * @throws IllegalArgumentException if the name is invalid
	 */
	public Optional<ManagedBlock> block(String name) {
		return Optional.ofNullable(this.registry.get(SharedMemoryDirectory.checkName(name)))
			.map(BlockRegistry.Entry::describe);
	}

	/**
	 * Returns the number of blocks the manager tracks.
	 * @return the count
	 */
	public int blockCount() {
		return this.registry.count();
	}

	/**
	 * Returns the sum of the sizes of the blocks the manager tracks.
	 * @return the bytes
	 */
	public long totalBytes() {
		return this.registry.totalBytes();
	}

	/**
	 * Unlinks a block the manager created, closes its handle and stops tracking it. A block the manager did not
	 * create is left alone, and counted as a failed {@code UNLINK}. If unlinking fails, the manager keeps tracking the
	 * block, so that shutdown tries again.
	 * @param name the block's name, with or without a leading slash
	 * @return {@code true} if the manager tracked the block, {@code false} if it did not
	 * @throws IllegalArgumentException if the name is invalid
	 */
	public boolean unlink(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		return whileRunning(() -> {
			BlockRegistry.Entry entry = this.registry.remove(checked);
			if (entry == null) {
				this.counters.failed(SharedMemoryOperation.UNLINK);
				return false;
			}
			try {
				release(entry, true);
			}
			catch (SharedMemoryException ex) {
				// The block is still there and still the manager's: shutdown tries again.
				this.registry.add(entry);
				throw ex;
			}
			currentRecord().remove(checked);
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
			for (BlockRegistry.Entry entry : this.registry.entries()) {
				this.registry.remove(entry.name());
				try {
					release(entry, this.unlinkOnShutdown);
				}
				catch (SharedMemoryException ex) {
					logger.log(Level.WARNING, "Could not unlink shared memory block ''{0}'' at shutdown: {1}",
							entry.name(), ex.getMessage());
					left.add(entry.name());
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
			currentRecord().retainOnly(left);
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
		return this.counters.count(operation, success);
	}

	private void release(BlockRegistry.Entry entry, boolean unlink) {
		// Unlink before closing: unlinking needs no mapping, and a close that fails (on JDK 22 and later while another
		// thread's I/O uses one of the block's views) must not leave the block behind.
		if (unlink) {
			this.counters.counted(SharedMemoryOperation.UNLINK, () -> unlinkUnlessGone(entry.name()));
		}
		if (!entry.block().isClosed()) {
			try {
				this.counters.counted(SharedMemoryOperation.CLOSE, () -> {
					entry.block().close();
					return null;
				});
			}
			catch (IllegalStateException ex) {
				logger.log(Level.WARNING, "Could not close shared memory block ''{0}'': {1}", entry.name(),
						ex.getMessage());
			}
		}
	}

	private @Nullable Void unlinkUnlessGone(String name) {
		try {
			this.directory.unlink(name);
		}
		catch (SharedMemoryNotFoundException ex) {
			// Unlinked by its handle or by another process: what the manager wanted is done.
		}
		return null;
	}

	private <T> T whileRunning(Supplier<T> action) {
		this.lifecycle.readLock().lock();
		try {
			if (!this.running) {
				throw new IllegalStateException("SharedMemoryManager for " + this.directory.path()
						+ " is not running: call start() first (or it was shut down)");
			}
			return action.get();
		}
		finally {
			this.lifecycle.readLock().unlock();
		}
	}

	private OwnerRecord currentRecord() {
		return Objects.requireNonNull(this.record, "started");
	}

	/**
	 * Returns the file of the owner record of the manager's current run, for tests; it exists only once a block was
	 * created.
	 */
	Path ownerRecord() {
		return currentRecord().file();
	}

	@Override
	public String toString() {
		return "SharedMemoryManager[" + this.directory.path() + ", " + this.registry.count() + " blocks, "
				+ (this.running ? "running" : "stopped") + "]";
	}

	/**
	 * Configures a {@link SharedMemoryManager}: the one way to make one other than the default.
	 */
	public static final class Builder {

		private @Nullable SharedMemoryDirectory directory;

		private boolean unlinkOnShutdown = true;

		private boolean reclaimOrphans = true;

		private Clock clock = Clock.systemUTC();

		private Builder() {
		}

		/**
		 * Sets where the manager's blocks live.
		 * @param directory the directory; {@link SharedMemoryDirectory#defaultDirectory()} if not set
		 * @return this builder
		 */
		public Builder directory(SharedMemoryDirectory directory) {
			this.directory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Sets whether {@link SharedMemoryManager#shutdown()} unlinks the blocks or only closes this process's
		 * handles, handing the blocks over to outlive it.
		 * @param unlinkOnShutdown whether shutdown unlinks; {@code true} if not set
		 * @return this builder
		 */
		public Builder unlinkOnShutdown(boolean unlinkOnShutdown) {
			this.unlinkOnShutdown = unlinkOnShutdown;
			return this;
		}

		/**
		 * Sets whether {@link SharedMemoryManager#start()} calls {@link SharedMemoryManager#reclaimOrphans()}.
		 * @param reclaimOrphans whether start reclaims; {@code true} if not set
		 * @return this builder
		 */
		public Builder reclaimOrphans(boolean reclaimOrphans) {
			this.reclaimOrphans = reclaimOrphans;
			return this;
		}

		/**
		 * Sets the clock that dates the blocks, for tests.
		 */
		Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Makes the manager, not yet started.
		 * @return the manager
		 * @throws UnsupportedOperationException if no directory was set and the platform is not Linux
		 */
		public SharedMemoryManager build() {
			return new SharedMemoryManager(this);
		}

	}

	/**
	 * Records each block the manager creates in its current owner record, and drops it again if creating it failed.
	 */
	private final class Recorder implements SharedMemoryDirectory.CreationListener {

		@Override
		public void created(String name, long size, Path file) {
			currentRecord().add(name, size, file);
		}

		@Override
		public void abandoned(String name) {
			currentRecord().remove(name);
		}

	}

}
