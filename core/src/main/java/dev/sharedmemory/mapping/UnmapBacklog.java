package dev.sharedmemory.mapping;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps the mappings that wait for the garbage collector in bounds: those of closed
 * blocks, which the JDK unmaps only once they are unreachable.
 * <p>
 * Closing a block costs no more than dropping a reference, which is what makes create and
 * attach cheap on any JDK and with any number of threads. But nothing makes the collector
 * run: with a large young generation a process can close tens of thousands of blocks
 * between two collections, each still a mapping, until it meets Linux's
 * {@code vm.max_map_count} (65,530 by default) and the JVM can no longer start a thread;
 * and a closed and unlinked block keeps its pages in the tmpfs until its mapping goes. So
 * this class counts what is closed but still mapped, as the JDK counts direct memory, and
 * asks for a collection itself: on a background thread once a quarter of the limit or
 * {@link #bytesLimit()} bytes wait, and before a new mapping, waiting for the collector,
 * once half of the limit is reached.
 */
public final class UnmapBacklog {

	/** The one backlog of this JVM: the limit it protects is the process's. */
	static final UnmapBacklog INSTANCE = new UnmapBacklog(mapCountLimit(), defaultBytesLimit());

	// How long a new mapping waits for the collector, at most, before it is refused:
	// the JDK's own wait for direct memory (Bits.reserveMemory) is about half a second.
	private static final long MAX_WAIT_NANOS = 1_000_000_000L;

	private static final Cleaner CLEANER = Cleaner.create((task) -> daemon(task, "shared-memory-unmap-watch"));

	private final long countLimit;

	private final long bytesLimit;

	private final AtomicLong waitingCount = new AtomicLong();

	private final AtomicLong waitingBytes = new AtomicLong();

	private final AtomicBoolean collectionRequested = new AtomicBoolean();

	private final AtomicLong collectionsRequested = new AtomicLong();

	UnmapBacklog(long mapCountLimit, long bytesLimit) {
		this.countLimit = Math.max(64, mapCountLimit / 2);
		this.bytesLimit = bytesLimit;
	}

	/**
	 * Returns the backlog of this JVM.
	 * @return the backlog
	 */
	public static UnmapBacklog get() {
		return INSTANCE;
	}

	/**
	 * Starts counting a mapping that the JDK unmaps once {@code owner} is unreachable.
	 * @param owner the object whose collection unmaps the mapping: the
	 * {@code MappedByteBuffer}
	 * @param bytes what the mapping holds in the tmpfs once its block is closed and
	 * unlinked, 0 for a mapping that holds nothing beyond an open block
	 * @return the mapping's entry, to be marked released when its block is closed
	 */
	Entry register(Object owner, long bytes) {
		Entry entry = new Entry(bytes);
		CLEANER.register(owner, entry::collected);
		return entry;
	}

	/**
	 * Makes room for one more mapping: when half of the process's mapping limit waits for
	 * the collector, asks for a collection and waits for it.
	 * @throws IllegalStateException if the room does not come, saying why
	 */
	void reserveRoom() {
		if (this.waitingCount.get() < this.countLimit) {
			return;
		}
		long deadline = System.nanoTime() + MAX_WAIT_NANOS;
		long pause = 1_000_000;
		System.gc();
		this.collectionsRequested.incrementAndGet();
		while (this.waitingCount.get() >= this.countLimit) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException(this.waitingCount.get() + " mappings of closed shared memory blocks "
						+ "wait for the garbage collector to unmap them, and " + this.countLimit
						+ " is the most this process allows (half of vm.max_map_count); is explicit "
						+ "garbage collection disabled (-XX:+DisableExplicitGC), or does the application keep "
						+ "buffers of closed blocks?");
			}
			LockSupport.parkNanos(pause);
			pause = Math.min(pause * 2, 64_000_000);
		}
	}

	/**
	 * Returns how many mappings of closed blocks wait for the collector now.
	 * @return the count
	 */
	public long waitingCount() {
		return this.waitingCount.get();
	}

	/**
	 * Returns the bytes that mappings of closed blocks hold while they wait.
	 * @return the bytes
	 */
	public long waitingBytes() {
		return this.waitingBytes.get();
	}

	/**
	 * Returns how many mappings may wait before a new one waits for the collector.
	 * @return the count limit
	 */
	public long countLimit() {
		return this.countLimit;
	}

	/**
	 * Returns how many bytes may wait before a collection is asked for.
	 * @return the byte limit
	 */
	public long bytesLimit() {
		return this.bytesLimit;
	}

	/**
	 * Returns how many collections this backlog has asked for.
	 * @return the count
	 */
	public long collectionsRequested() {
		return this.collectionsRequested.get();
	}

	private void released(long bytes) {
		long count = this.waitingCount.incrementAndGet();
		long held = this.waitingBytes.addAndGet(bytes);
		if ((count >= this.countLimit / 2 || held >= this.bytesLimit)
				&& this.collectionRequested.compareAndSet(false, true)) {
			// Off the closing thread: close() stays as cheap as dropping a reference, and
			// a burst of closes asks once.
			daemon(this::collect, "shared-memory-unmap-collect").start();
		}
	}

	private void collect() {
		try {
			this.collectionsRequested.incrementAndGet();
			System.gc();
			// The JDK unmaps what the collection found on threads of its own, afterwards:
			// until the count has come down (or a second has passed, for mappings that
			// someone still holds), closes that go on must not ask for collection after
			// collection.
			long deadline = System.nanoTime() + MAX_WAIT_NANOS;
			while (this.waitingCount.get() >= this.countLimit / 2 && System.nanoTime() - deadline < 0) {
				LockSupport.parkNanos(10_000_000);
			}
		}
		finally {
			this.collectionRequested.set(false);
		}
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	/**
	 * The limit of mappings per process, from {@code /proc/sys/vm/max_map_count}.
	 */
	private static long mapCountLimit() {
		try {
			// Line by line: a file of /proc reports a size of 0, and Files.readString on
			// JDK 17 then reads one byte of it.
			return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/vm/max_map_count")).get(0).trim());
		}
		catch (IOException | RuntimeException ex) {
			return 65_530;
		}
	}

	/**
	 * A sixteenth of the default directory, at most 64 MiB: a container's 64 MiB
	 * {@code /dev/shm} keeps no more than 4 MiB of closed blocks waiting.
	 */
	private static long defaultBytesLimit() {
		try {
			return Math.min(64L << 20,
					Math.max(1L << 20, Files.getFileStore(Path.of("/dev/shm")).getTotalSpace() / 16));
		}
		catch (IOException | RuntimeException ex) {
			return 64L << 20;
		}
	}

	/**
	 * One mapping in the count: released when its block is closed, collected when the JDK
	 * unmaps it; it waits in between.
	 */
	final class Entry {

		private final long bytes;

		// 0 open, 1 released and waiting, 2 collected.
		private final AtomicLong state = new AtomicLong();

		Entry(long bytes) {
			this.bytes = bytes;
		}

		/**
		 * Marks the mapping's block closed: from now on it waits for the collector.
		 */
		void released() {
			if (this.state.compareAndSet(0, 1)) {
				UnmapBacklog.this.released(this.bytes);
			}
		}

		private void collected() {
			if (this.state.getAndSet(2) == 1) {
				UnmapBacklog.this.waitingCount.decrementAndGet();
				UnmapBacklog.this.waitingBytes.addAndGet(-this.bytes);
			}
		}

	}

}
