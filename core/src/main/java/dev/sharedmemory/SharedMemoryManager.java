package dev.sharedmemory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.Order;
import dev.sharedmemory.ownership.OrphanReclaimer;
import dev.sharedmemory.ownership.OwnerRecord;
import dev.sharedmemory.protocol.ManagerServer;
import dev.sharedmemory.protocol.Peer;
import dev.sharedmemory.protocol.SegmentRegistry;

/**
 * Creates blocks and unlinks them all when it shuts down: Python's
 * {@code multiprocessing.managers.SharedMemoryManager}, in process. It tracks only what
 * it created: a block it merely attached to is never unlinked by it.
 * <p>
 * <strong>Crash safety.</strong> A process can die without shutting its manager down
 * ({@code kill -9}, the OOM killer), and its blocks would then stay in the directory
 * until the machine reboots. So, as PostgreSQL does with its segments, the manager keeps
 * a record of what it created beside the blocks: a small file, mode {@code 0600}, named
 * {@code .psm-owner-<pid>-<start time>-<random>}, holding its process id and that
 * process's start time (so that a reused process id is not mistaken for it) and each
 * block's name, size and inode. Being in the same tmpfs, records and blocks vanish
 * together at reboot. {@link #start()} (unless told not to) calls
 * {@link #reclaimOrphans()}, which unlinks the blocks named by records whose owner is
 * gone, and only those: never a block of a live owner (another instance running beside
 * this one), never a block no record names (Python's, or one created without a manager),
 * never a file of another user, never a file that took a recorded name after the block
 * was gone. Whether an owner is gone is told by a lock it holds while it lives on a file
 * beside its record, which the kernel releases at any death: it holds in every pid
 * namespace that shares the directory, so a container restarted on the same tmpfs
 * reclaims what its previous run left, and never touches what a live container holds.
 * {@link #shutdown()} removes the record: a normal stop, or a {@code SIGTERM} that runs
 * the JVM's shutdown hooks and through them {@code shutdown()}, leaves none behind. A
 * manager that does not unlink its blocks at shutdown hands them over deliberately: it
 * removes its record too, so that no later start reclaims them.
 * <p>
 * <strong>Blocks of Python clients.</strong> {@link #segmentRegistry()} is what a
 * {@link ManagerServer} tracks its clients' blocks in: a block a Python process created
 * and asked the server to track is tracked here beside the manager's own, with where it
 * came from ({@link ManagedBlock#origin()}), recorded in the owner record, counted, and
 * unlinked at shutdown. Such a block is known by its inode, so that no other file that
 * took its name later is ever unlinked for it; one that its client unlinked itself
 * (Python's resource tracker does, at the client's exit) is dropped from tracking
 * quietly.
 * <p>
 * <strong>Blocks lost to someone else.</strong> Another process can unlink a block the
 * manager created: most often a Python process's resource tracker, which unlinks, when
 * that process exits, the blocks it merely attached to (CPython 3.8 to 3.13, unless
 * attached with {@code SharedMemory(name, track=False)} on 3.13 or later, or unregistered
 * with {@code resource_tracker.unregister(shm._name, "shared_memory")}). While running,
 * the manager watches its directory (inotify, on one daemon thread; once a second per
 * block where the directory cannot be watched) and notices within about a second that a
 * block it tracks was unlinked, or replaced by another file of the same name, by anyone
 * but itself. It then stops tracking the block (it is no longer listed, counted nor
 * unlinked at shutdown, though the handle it returned stays open until then), logs a
 * warning that names it, counts it ({@link #lostBlocks()}) and tells the
 * {@link BlockListener}s. A block unlinked through its own handle in this process is
 * dropped quietly.
 * <p>
 * Thread-safe: many threads may create, attach and unlink through one manager while
 * another lists its blocks. Use before {@link #start()} or after {@link #shutdown()}
 * throws {@link IllegalStateException}; a manager that was shut down can be started
 * again. {@code new SharedMemoryManager()} manages the default directory with the
 * defaults; {@link #builder()} configures any other: <pre class="code">
 * SharedMemoryManager manager = SharedMemoryManager.builder().directory(directory).reclaimOrphans(false).build();
 * </pre>
 */
public final class SharedMemoryManager implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(SharedMemoryManager.class.getName());

	private final SharedMemoryDirectory directory;

	private final boolean unlinkOnShutdown;

	private final boolean reclaimOrphans;

	private final Clock clock;

	private final List<BlockListener> listeners;

	private final DirectoryWatcher.Mode watchMode;

	private final BlockRegistry registry = new BlockRegistry();

	private final OperationCounters counters = new OperationCounters();

	private final SegmentRegistry segments = new TrackedSegments();

	// Serializes tracking for clients, so that a name is tracked at most once.
	private final Object tracking = new Object();

	// Records each block the moment its name is taken, before it is sized: a crash from
	// then on leaves it known.
	private final SharedMemoryDirectory.CreationListener recorder = new Recorder();

	// Operations hold the read lock, so that shutdown, under the write lock, never misses
	// a block created meanwhile.
	private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

	// Handles of blocks lost or unlinked through their handle: no longer tracked, but
	// closed at shutdown all the same.
	private final Queue<SharedMemory> untrackedHandles = new ConcurrentLinkedQueue<>();

	// Replaced at each start.
	private volatile @Nullable OwnerRecord record;

	// Replaced at each start, closed at shutdown.
	private volatile @Nullable DirectoryWatcher watcher;

	private volatile boolean running;

	/**
	 * Creates a manager for blocks in {@link SharedMemoryDirectory#defaultDirectory()}
	 * that unlinks them at shutdown and reclaims orphaned blocks when it starts;
	 * {@link #builder()} configures another.
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
		this.listeners = List.copyOf(builder.listeners);
		this.watchMode = builder.watchMode;
	}

	/**
	 * Returns a builder of a manager, set to what {@code new SharedMemoryManager()}
	 * makes.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Starts the manager; from then on it creates blocks. First, unless told not to, it
	 * reclaims the blocks of processes that died without unlinking them (see
	 * {@link #reclaimOrphans()}); a failure to do so is logged and does not stop it from
	 * starting.
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
					logger.log(Level.WARNING, "Could not reclaim orphaned shared memory blocks: {0}", ex.getMessage());
				}
			}
			OwnerRecord started = OwnerRecord.forCurrentProcess(this.directory.path());
			this.record = started;
			this.watcher = DirectoryWatcher.start(this.directory.path(), new LossDetector(started), this.watchMode);
			this.running = true;
		}
		finally {
			this.lifecycle.writeLock().unlock();
		}
	}

	/**
	 * Unlinks the blocks that processes which are gone created through a manager and did
	 * not unlink, as their records in the directory name them, and removes those records.
	 * Blocks of live processes (this one included), blocks no record names, files of
	 * other users and files that took a recorded name after its block was gone are left
	 * alone. What was unlinked is logged, with names and bytes, and counted
	 * ({@link #reclaimedBlocks()}, {@link #reclaimedBytes()}). Works whether or not the
	 * manager is running.
	 * @return what was unlinked
	 * @throws SharedMemoryException if the directory cannot be listed; a record or a
	 * block that cannot be handled is logged and left for the next time
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
	 * Returns how many orphaned blocks {@link #reclaimOrphans()} unlinked since the
	 * manager was made.
	 * @return the count
	 */
	public long reclaimedBlocks() {
		return this.counters.reclaimedBlocks();
	}

	/**
	 * Returns the bytes of the orphaned blocks {@link #reclaimOrphans()} unlinked since
	 * the manager was made.
	 * @return the sum of their sizes
	 */
	public long reclaimedBytes() {
		return this.counters.reclaimedBytes();
	}

	/**
	 * Returns how many blocks the manager tracked were unlinked or replaced by someone
	 * else since the manager was made: blocks whose data was lost to every other process
	 * (see the class description).
	 * @return the count
	 */
	public long lostBlocks() {
		return this.counters.lostBlocks();
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
			this.registry.add(BlockRegistry.Entry.created(block, null, this.clock.instant()));
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
			ShareableList list = ShareableList.create(items,
					(size, content) -> this.directory.create(null, size, this.recorder, content));
			this.registry.add(BlockRegistry.Entry.created(list.shm(), list, this.clock.instant()));
			return list;
		}));
	}

	/**
	 * Creates a typed array of zeros, in numpy's {@code .npy} layout, under a generated
	 * name and tracks its block. numpy opens it with
	 * {@code np.load("/dev/shm/" + name, mmap_mode="r+")}.
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array; closing it does not stop the manager tracking its block
	 * @throws IllegalArgumentException if a dimension is negative, there are more than
	 * 64, or the array is larger than a block can be
	 */
	public NDArray ndarray(DType dtype, Order order, long... shape) {
		return ndarray((size) -> this.directory.create(size, this.recorder), dtype, order, shape);
	}

	/**
	 * Creates a typed array of zeros, in numpy's {@code .npy} layout, under the given
	 * name and tracks its block.
	 * @param name the block's name, with or without a leading slash
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array; closing it does not stop the manager tracking its block
	 * @throws IllegalArgumentException if the name or a dimension is invalid, there are
	 * more than 64 dimensions, or the array is larger than a block can be
	 * @throws SharedMemoryExistsException if the name is taken
	 */
	public NDArray ndarray(String name, DType dtype, Order order, long... shape) {
		Objects.requireNonNull(name, "name must not be null");
		return ndarray((size) -> this.directory.create(name, size, this.recorder), dtype, order, shape);
	}

	private NDArray ndarray(LongFunction<SharedMemory> blocks, DType dtype, Order order, long[] shape) {
		return whileRunning(() -> this.counters.counted(SharedMemoryOperation.CREATE, () -> {
			NDArray array = NDArray.create(blocks, dtype, order, shape);
			this.registry.add(BlockRegistry.Entry.created(array.shm(), array, this.clock.instant()));
			return array;
		}));
	}

	/**
	 * Attaches to an existing block and counts it, without tracking it: the manager never
	 * unlinks or closes it.
	 * @param name the block's name
	 * @return the block
	 * @throws IllegalArgumentException if the name is invalid (counted as nothing)
	 */
	public SharedMemory attach(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		return whileRunning(
				() -> this.counters.counted(SharedMemoryOperation.ATTACH, () -> this.directory.attach(checked)));
	}

	/**
	 * Returns the manager as a {@link ManagerServer}'s registry: blocks that Python
	 * clients of the server created are tracked by this manager, as
	 * {@link ManagedBlock#origin() coming from} the client. The registry releases only
	 * blocks tracked for clients, never one the manager created. Start a server over it
	 * with
	 * {@link ManagerServer#start(dev.sharedmemory.protocol.ManagerServerSettings, SharedMemoryManager)}.
	 * @return the registry, the same every time
	 */
	public SegmentRegistry segmentRegistry() {
		return this.segments;
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
	 * Unlinks a block the manager tracks, closes its handle and stops tracking it; a
	 * block tracked for a client of its server is unlinked only while its file is still
	 * the one tracked. A block the manager does not track, or no longer tracks (it was
	 * lost), is left alone, and counted as a failed {@code UNLINK}. If unlinking fails,
	 * the manager keeps tracking the block, so that shutdown tries again.
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
	 * Stops the manager: closes every handle it holds and, unless told otherwise, unlinks
	 * every block it still tracks. Idempotent. A block someone else unlinked already is
	 * skipped; any other failure is thrown once every block was tried. Nothing shutdown
	 * unlinks is reported lost.
	 */
	public void shutdown() {
		this.lifecycle.writeLock().lock();
		try {
			if (!this.running) {
				return;
			}
			this.running = false;
			// First, so that the unlinks below are not even looked at.
			Objects.requireNonNull(this.watcher, "started").close();
			SharedMemoryException failure = null;
			List<String> left = new ArrayList<>();
			for (BlockRegistry.Entry entry : this.registry.entries()) {
				if (!this.registry.remove(entry)) {
					// Lost a moment ago, and reported: the file is not the manager's to
					// unlink any more.
					continue;
				}
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
			closeUntrackedHandles();
			// Blocks handed over (no unlink at shutdown) are no orphans. Blocks that
			// could not be unlinked stay recorded, so that a start after this process is
			// gone tries again.
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
	 * Returns how many times an operation ended with the given outcome since the manager
	 * was made. An {@link #unlink(String)} of a name the manager does not track counts as
	 * a failed {@code UNLINK}; a call refused because the manager is not running, or for
	 * an invalid name, counts nothing.
	 * @param operation the operation
	 * @param success {@code true} for successes, {@code false} for failures
	 * @return the count
	 */
	public long operationCount(SharedMemoryOperation operation, boolean success) {
		return this.counters.count(operation, success);
	}

	private void release(BlockRegistry.Entry entry, boolean unlink) {
		// Unlink before closing: unlinking needs no mapping, and a close that fails (on
		// JDK 22 and later while another thread's I/O uses one of the block's views) must
		// not leave the block behind.
		SharedMemory block = entry.block();
		if (unlink) {
			this.counters.counted(SharedMemoryOperation.UNLINK,
					() -> (block != null) ? unlinkUnlessGone(entry.name()) : unlinkIfSame(entry.name(), entry.inode()));
		}
		if (block != null) {
			closeHandle(block);
		}
	}

	private void closeHandle(SharedMemory block) {
		if (!block.isClosed()) {
			try {
				this.counters.counted(SharedMemoryOperation.CLOSE, () -> {
					block.close();
					return null;
				});
			}
			catch (IllegalStateException ex) {
				logger.log(Level.WARNING, "Could not close shared memory block ''{0}'': {1}", block.name(),
						ex.getMessage());
			}
		}
	}

	private void closeUntrackedHandles() {
		for (SharedMemory handle = this.untrackedHandles.poll(); handle != null; handle = this.untrackedHandles
			.poll()) {
			closeHandle(handle);
		}
	}

	private @Nullable Void unlinkUnlessGone(String name) {
		try {
			this.directory.unlink(name);
		}
		catch (SharedMemoryNotFoundException ex) {
			// Unlinked by its handle or by another process: what the manager wanted is
			// done.
		}
		return null;
	}

	/**
	 * Unlinks a block tracked for a client if its file is still the one tracked. The
	 * check and the unlink are two steps: a block replaced in between is the one race
	 * left, as narrow as CPython's own attach-then-unlink.
	 */
	private @Nullable Void unlinkIfSame(String name, long inode) {
		Path file = this.directory.path().resolve(name);
		try {
			if (Objects.equals(inodeOrNull(file), inode)) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new SharedMemoryException(
					"Cannot unlink shared memory block '" + name + "' in " + this.directory.path() + ": " + ex, ex);
		}
		return null;
	}

	private static @Nullable Long inodeOrNull(Path file) throws IOException {
		try {
			return ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
		}
		catch (NoSuchFileException ex) {
			return null;
		}
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
	 * Stops tracking a block whose file was unlinked or replaced by someone else, and
	 * reports it, unless the manager got there first (its own unlink, or shutdown, took
	 * the entry out of the registry before unlinking) or the block was unlinked through
	 * its own handle here.
	 */
	private void lost(BlockRegistry.Entry entry, LostBlock.Reason reason, OwnerRecord record) {
		if (!this.registry.remove(entry)) {
			return;
		}
		record.remove(entry.name());
		SharedMemory handle = entry.block();
		if (handle != null) {
			this.untrackedHandles.add(handle);
		}
		ManagedBlock block = entry.describe();
		if ((handle != null && handle.isUnlinkedHere()) || entry.origin() != null) {
			// This process's own doing, or a block of a peer of the manager's server, who
			// may drop it as it likes.
			logger.log(Level.DEBUG, "Shared memory block ''{0}'' in {1} was {2}: no longer tracked", block.name(),
					this.directory.path(), reason);
			return;
		}
		this.counters.lost();
		logger.log(Level.WARNING, lossMessage(block, reason));
		LostBlock lost = new LostBlock(block.name(), block.size(), block.kind(), reason);
		for (BlockListener listener : this.listeners) {
			try {
				listener.blockLost(lost);
			}
			catch (RuntimeException ex) {
				logger.log(Level.WARNING, "BlockListener " + listener + " failed on " + lost, ex);
			}
		}
	}

	private String lossMessage(ManagedBlock block, LostBlock.Reason reason) {
		String what = (reason == LostBlock.Reason.UNLINKED) ? "was unlinked by another process"
				: "was replaced by another file of the same name";
		return "Shared memory block '" + block.name() + "' (" + block.kind().displayName() + ", " + block.size()
				+ " bytes) in " + this.directory.path() + " " + what + ", not by this manager: its data is lost to "
				+ "every other process, and the manager no longer tracks it. Probably a Python process's resource "
				+ "tracker: CPython 3.8 to 3.13 unlink the blocks a process merely attached to when it exits, unless "
				+ "it attaches with SharedMemory(name, track=False) (3.13 and later) or calls "
				+ "resource_tracker.unregister(shm._name, \"shared_memory\") after attaching (for a ShareableList, "
				+ "on its .shm).";
	}

	/**
	 * Returns the file of the owner record of the manager's current run, for tests; it
	 * exists only once a block was created.
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
	 * Configures a {@link SharedMemoryManager}: the one way to make one other than the
	 * default.
	 */
	public static final class Builder {

		private @Nullable SharedMemoryDirectory directory;

		private boolean unlinkOnShutdown = true;

		private boolean reclaimOrphans = true;

		private Clock clock = Clock.systemUTC();

		private final List<BlockListener> listeners = new ArrayList<>();

		private DirectoryWatcher.Mode watchMode = DirectoryWatcher.Mode.WATCH;

		private Builder() {
		}

		/**
		 * Sets where the manager's blocks live.
		 * @param directory the directory;
		 * {@link SharedMemoryDirectory#defaultDirectory()} if not set
		 * @return this builder
		 */
		public Builder directory(SharedMemoryDirectory directory) {
			this.directory = Objects.requireNonNull(directory, "directory must not be null");
			return this;
		}

		/**
		 * Sets whether {@link SharedMemoryManager#shutdown()} unlinks the blocks or only
		 * closes this process's handles, handing the blocks over to outlive it.
		 * @param unlinkOnShutdown whether shutdown unlinks; {@code true} if not set
		 * @return this builder
		 */
		public Builder unlinkOnShutdown(boolean unlinkOnShutdown) {
			this.unlinkOnShutdown = unlinkOnShutdown;
			return this;
		}

		/**
		 * Sets whether {@link SharedMemoryManager#start()} calls
		 * {@link SharedMemoryManager#reclaimOrphans()}.
		 * @param reclaimOrphans whether start reclaims; {@code true} if not set
		 * @return this builder
		 */
		public Builder reclaimOrphans(boolean reclaimOrphans) {
			this.reclaimOrphans = reclaimOrphans;
			return this;
		}

		/**
		 * Adds a listener, told of each block the manager tracked that someone else
		 * unlinked or replaced.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(BlockListener listener) {
			this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
			return this;
		}

		/**
		 * Sets how the manager follows its directory for blocks lost, for tests: checking
		 * once a second as where the directory cannot be watched, or not at all.
		 */
		Builder watchMode(DirectoryWatcher.Mode watchMode) {
			this.watchMode = Objects.requireNonNull(watchMode, "watchMode must not be null");
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
		 * @throws UnsupportedOperationException if no directory was set and the platform
		 * is not Linux
		 */
		public SharedMemoryManager build() {
			return new SharedMemoryManager(this);
		}

	}

	/**
	 * The manager as a {@link SegmentRegistry}: tracks, lists and releases the blocks of
	 * the server's clients, and never one the manager created.
	 */
	private final class TrackedSegments implements SegmentRegistry {

		private static final int FILE_TYPE_MASK = 0170000;

		private static final int REGULAR_FILE = 0100000;

		@Override
		public Path directory() {
			return SharedMemoryManager.this.directory.path();
		}

		@Override
		public void track(String name, Peer peer) {
			String checked = SharedMemoryDirectory.checkName(name);
			Objects.requireNonNull(peer, "peer must not be null");
			whileRunning(() -> {
				synchronized (SharedMemoryManager.this.tracking) {
					Map<String, Object> file = regularFileAttributes(checked);
					long inode = ((Number) file.get("ino")).longValue();
					BlockRegistry.Entry known = SharedMemoryManager.this.registry.get(checked);
					if (known != null && (known.origin() == null || known.inode() == inode)) {
						// The application's own block, or this very block tracked again:
						// tracked already.
						return null;
					}
					if (known != null) {
						// Its file is another by now: the block tracked before is gone.
						forget(known);
					}
					long size = ((Number) file.get("size")).longValue();
					currentRecord().add(checked, size, inode);
					SharedMemoryManager.this.registry.add(BlockRegistry.Entry.tracked(checked, size, inode,
							SharedMemoryManager.this.clock.instant(), peer.toString()));
					return null;
				}
			});
		}

		@Override
		public void release(String name) {
			String checked = SharedMemoryDirectory.checkName(name);
			BlockRegistry.Entry entry;
			synchronized (SharedMemoryManager.this.tracking) {
				entry = SharedMemoryManager.this.registry.get(checked);
				if (entry == null || entry.origin() == null
						|| SharedMemoryManager.this.registry.remove(checked) == null) {
					return;
				}
			}
			SharedMemoryManager.this.release(entry, true);
			currentRecord().remove(checked);
		}

		@Override
		public List<String> names() {
			List<String> names = new ArrayList<>();
			for (BlockRegistry.Entry entry : SharedMemoryManager.this.registry.entriesOldestFirst()) {
				if (entry.origin() != null) {
					if (isGone(entry)) {
						// Unlinked by its client (Python's resource tracker does, at the
						// client's exit): no loss.
						dropQuietly(entry);
					}
					else {
						names.add(entry.name());
					}
				}
			}
			return List.copyOf(names);
		}

		@Override
		public void releaseAll() {
			for (BlockRegistry.Entry entry : SharedMemoryManager.this.registry.entries()) {
				if (entry.origin() != null) {
					release(entry.name());
				}
			}
		}

		private Map<String, Object> regularFileAttributes(String name) {
			Path file = directory().resolve(name);
			try {
				Map<String, Object> attributes = Files.readAttributes(file, "unix:ino,mode,size",
						LinkOption.NOFOLLOW_LINKS);
				if ((((Number) attributes.get("mode")).intValue() & FILE_TYPE_MASK) == REGULAR_FILE) {
					return attributes;
				}
			}
			catch (IOException ex) {
				// Not there: refused below, as is anything but a regular file.
			}
			throw new IllegalArgumentException("No shared memory block '" + name + "' in " + directory() + " to track");
		}

		private boolean isGone(BlockRegistry.Entry entry) {
			try {
				return !Objects.equals(inodeOrNull(directory().resolve(entry.name())), entry.inode());
			}
			catch (IOException ex) {
				return false;
			}
		}

		private void dropQuietly(BlockRegistry.Entry entry) {
			synchronized (SharedMemoryManager.this.tracking) {
				forget(entry);
			}
		}

		private void forget(BlockRegistry.Entry entry) {
			if (!SharedMemoryManager.this.registry.remove(entry)) {
				return;
			}
			OwnerRecord record = SharedMemoryManager.this.record;
			if (record != null) {
				record.remove(entry.name());
			}
		}

	}

	/**
	 * Finds, when the directory watcher asks, whether blocks the manager tracks are still
	 * the files it created: a {@code stat} of a block only when a file of its name
	 * changed, never on a listing.
	 */
	private final class LossDetector implements DirectoryWatcher.Checks {

		private final OwnerRecord record;

		LossDetector(OwnerRecord record) {
			this.record = record;
		}

		@Override
		public void check(String name) {
			BlockRegistry.Entry entry = SharedMemoryManager.this.registry.get(name);
			if (entry != null) {
				check(entry);
			}
		}

		@Override
		public void checkAll() {
			SharedMemoryManager.this.registry.entries().forEach(this::check);
		}

		private void check(BlockRegistry.Entry entry) {
			LostBlock.Reason reason = lossOf(entry.name());
			if (reason != null) {
				lost(entry, reason, this.record);
			}
		}

		private LostBlock.@Nullable Reason lossOf(String name) {
			long inode;
			try {
				inode = ((Number) Files.getAttribute(SharedMemoryManager.this.directory.path().resolve(name),
						"unix:ino", LinkOption.NOFOLLOW_LINKS))
					.longValue();
			}
			catch (NoSuchFileException ex) {
				return LostBlock.Reason.UNLINKED;
			}
			catch (IOException ex) {
				// Cannot tell: the next change of the name, or shutdown, will.
				return null;
			}
			// The inode the block was created with tells it from a later file that took
			// its name.
			OptionalLong recorded = this.record.inode(name);
			return (recorded.isPresent() && recorded.getAsLong() != inode) ? LostBlock.Reason.REPLACED : null;
		}

	}

	/**
	 * Records each block the manager creates in its current owner record, and drops it
	 * again if creating it failed.
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
