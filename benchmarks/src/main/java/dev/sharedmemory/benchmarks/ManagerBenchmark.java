package dev.sharedmemory.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.SharedMemory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 5: the manager with 1,000 and 10,000 blocks tracked. Creating and unlinking
 * one more block should cost the same whatever the count; listing them all should cost
 * the same per block.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ManagerBenchmark {

	/**
	 * Creates a 1-byte block through the manager and unlinks it through the manager.
	 * @param tracked the manager and its blocks
	 * @return whether the unlink found the block, so that nothing is optimised away
	 */
	@Benchmark
	public boolean createUnlink(TrackedBlocks tracked) {
		SharedMemory block = tracked.manager.sharedMemory(1);
		return tracked.manager.unlink(block.name());
	}

	/**
	 * Lists every block the manager tracks, as the Actuator endpoint does.
	 * @param tracked the manager and its blocks
	 * @return the list
	 */
	@Benchmark
	public List<ManagedBlock> blocks(TrackedBlocks tracked) {
		return tracked.manager.blocks();
	}

}
