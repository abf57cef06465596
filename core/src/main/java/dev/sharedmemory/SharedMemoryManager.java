package dev.sharedmemory;

import java.lang.System.Logger.Level;
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
 * Thread-safe: many threads may create, attach and unlink through one manager while another lists its blocks. Use
 * before {@link #start()} or after {@link #shutdown()} throws {@link IllegalStateException}; a manager that was shut
 * down can be started again.
 */
public final class SharedMemoryManager implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(SharedMemoryManager.class.getName());

	private final SharedMemoryDirectory directory;

	private final boolean unlinkOnShutdown;

	private final Clock clock;

	private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();

	// The same blocks kept oldest first, so that listing them is a walk, not a sort: a sort made the cost per block
	// of blocks() three to four times higher at 10,000 blocks than at 1,000.
	private final Set<Tracked> oldestFirst = new ConcurrentSkipListSet<>(
			Comparator.comparing((Tracked entry) -> entry.createdAt).thenComparing((entry) -> entry.block.name()));

	// Operations hold the read lock, so that shutdown, under the write lock, never misses a block created meanwhile.
	private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();

	private final LongAdder[] successes = newCounters();

	private final LongAdder[] failures = newCounters();

	private volatile boolean running;

	/**
	 * Creates a manager for blocks in {@link SharedMemoryDirectory#defaultDirectory()} that unlinks them at shutdown.
	 */
	public SharedMemoryManager() {
		this(SharedMemoryDirectory.defaultDirectory());
	}

	/**
	 * Creates a manager for blocks in the given directory that unlinks them at shutdown.
	 * @param directory where its blocks live
	 */
	public SharedMemoryManager(SharedMemoryDirectory directory) {
		this(directory, true);
	}

	/**
	 * Creates a manager for blocks in the given directory.
	 * @param directory where its blocks live
	 * @param unlinkOnShutdown whether {@link #shutdown()} unlinks the blocks or only closes this process's handles,
	 * leaving the blocks to outlive it
	 */
	public SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown) {
		this(directory, unlinkOnShutdown, Clock.systemUTC());
	}

	SharedMemoryManager(SharedMemoryDirectory directory, boolean unlinkOnShutdown, Clock clock) {
		this.directory = directory;
		this.unlinkOnShutdown = unlinkOnShutdown;
		this.clock = clock;
	}

	/**
	 * Starts the manager; from then on it creates blocks.
	 */
	public void start() {
		this.lifecycle.writeLock().lock();
		try {
			this.running = true;
		}
		finally {
			this.lifecycle.writeLock().unlock();
		}
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
			SharedMemory block = this.directory.create(size);
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
			ShareableList list = ShareableList.create(this.directory, null, items);
			add(new Tracked(list.shm(), list, this.clock.instant()));
			return list;
		});
	}

	/**
	 * Attaches to an existing block, without tracking it: the manager never unlinks it.
	 * @param name the block's name
	 * @return the block
	 */
	public SharedMemory attach(String name) {
		return track(SharedMemoryOperation.ATTACH, () -> this.directory.attach(name));
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
			for (Tracked entry : List.copyOf(this.tracked.values())) {
				remove(entry.block.name());
				try {
					release(entry, this.unlinkOnShutdown);
				}
				catch (SharedMemoryException ex) {
					logger.log(Level.WARNING, "Could not unlink shared memory block ''{0}'' at shutdown: {1}",
							entry.block.name(), ex.getMessage());
					if (failure == null) {
						failure = ex;
					}
					else {
						failure.addSuppressed(ex);
					}
				}
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

	private void release(Tracked entry, boolean unlink) {
		if (!entry.block.isClosed()) {
			entry.close();
			count(SharedMemoryOperation.CLOSE, true);
		}
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

	@Override
	public String toString() {
		return "SharedMemoryManager[" + this.directory.path() + ", " + this.tracked.size() + " blocks, "
				+ (this.running ? "running" : "stopped") + "]";
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
			String format = this.block.isClosed() ? null : this.list.format();
			return new ManagedBlock(this.block.name(), this.block.size(), BlockKind.SHAREABLE_LIST, this.createdAt,
					this.list.size(), format);
		}

		void close() {
			this.block.close();
		}

	}

}
