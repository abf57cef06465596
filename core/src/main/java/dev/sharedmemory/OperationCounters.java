package dev.sharedmemory;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What a {@link SharedMemoryManager} counts: each operation by outcome, the orphans it
 * reclaimed and the blocks it lost to someone else. The one place that counts; lock-free,
 * so that counting never serializes the operations it counts.
 */
final class OperationCounters {

	private final LongAdder[] successes = newAdders();

	private final LongAdder[] failures = newAdders();

	private final LongAdder reclaimedBlocks = new LongAdder();

	private final LongAdder reclaimedBytes = new LongAdder();

	private final LongAdder lostBlocks = new LongAdder();

	/**
	 * Runs an operation and counts it: a success if it returns, a failure if it throws.
	 */
	<T> T counted(SharedMemoryOperation operation, Supplier<T> action) {
		T result;
		try {
			result = action.get();
		}
		catch (RuntimeException ex) {
			this.failures[operation.ordinal()].increment();
			throw ex;
		}
		this.successes[operation.ordinal()].increment();
		return result;
	}

	/**
	 * Counts a failure that threw nothing, such as an unlink of a name the manager does
	 * not track.
	 */
	void failed(SharedMemoryOperation operation) {
		this.failures[operation.ordinal()].increment();
	}

	void reclaimed(ReclaimedOrphans reclaimed) {
		this.reclaimedBlocks.add(reclaimed.blockCount());
		this.reclaimedBytes.add(reclaimed.totalBytes());
	}

	void lost() {
		this.lostBlocks.increment();
	}

	long count(SharedMemoryOperation operation, boolean success) {
		return (success ? this.successes : this.failures)[operation.ordinal()].sum();
	}

	long reclaimedBlocks() {
		return this.reclaimedBlocks.sum();
	}

	long reclaimedBytes() {
		return this.reclaimedBytes.sum();
	}

	long lostBlocks() {
		return this.lostBlocks.sum();
	}

	private static LongAdder[] newAdders() {
		LongAdder[] adders = new LongAdder[SharedMemoryOperation.values().length];
		for (int i = 0; i < adders.length; i++) {
			adders[i] = new LongAdder();
		}
		return adders;
	}

}
