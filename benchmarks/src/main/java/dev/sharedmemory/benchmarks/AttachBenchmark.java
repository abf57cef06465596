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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 1: attaching to an existing 4 KiB block and closing it again, as Python's
 * {@code SharedMemory(name)} followed by {@code close()}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class AttachBenchmark {

	private SharedMemoryDirectory directory;

	private SharedMemory existing;

	private String name;

	/**
	 * Creates the block to attach to, under a name of this process.
	 */
	@Setup
	public void setUp() {
		this.directory = SharedMemoryDirectory.defaultDirectory();
		this.existing = this.directory.create("jmh_attach_" + ProcessHandle.current().pid(),
				CreateBenchmark.BLOCK_SIZE);
		this.name = this.existing.name();
	}

	/**
	 * Removes the block.
	 */
	@TearDown
	public void tearDown() {
		this.existing.close();
		this.existing.unlink();
	}

	/**
	 * Attaches to the block and closes the new handle.
	 * @param idle the idle threads of the JVM during the measurement
	 * @return the closed handle, so that nothing is optimised away
	 */
	@Benchmark
	public SharedMemory attachClose(IdleThreads idle) {
		SharedMemory block = this.directory.attach(this.name);
		block.close();
		return block;
	}

}
