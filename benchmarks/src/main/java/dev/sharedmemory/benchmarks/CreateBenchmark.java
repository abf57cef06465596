package dev.sharedmemory.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 1: one whole life of a 4 KiB block under a generated name (create, close,
 * unlink), as Python's {@code SharedMemory(create=True, size=4096)} followed by
 * {@code close()} and {@code unlink()}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CreateBenchmark {

	/** The size of the block, as in the Python and C programs. */
	static final int BLOCK_SIZE = 4096;

	/**
	 * Whether create writes the block's pages (the default) or leaves them to the first
	 * write, as C and Python do.
	 */
	@Param({ "true", "false" })
	public boolean reservePages;

	private SharedMemoryDirectory directory;

	/**
	 * Picks the default directory with the page reservation under test.
	 */
	@Setup
	public void setUp() {
		this.directory = SharedMemoryDirectory.defaultDirectory().withPageReservation(this.reservePages);
	}

	/**
	 * Creates a block, closes it and unlinks it.
	 * @param idle the idle threads of the JVM during the measurement
	 * @return the closed block, so that nothing is optimised away
	 */
	@Benchmark
	public SharedMemory createCloseUnlink(IdleThreads idle) {
		SharedMemory block = this.directory.create(BLOCK_SIZE);
		block.close();
		block.unlink();
		return block;
	}

}
