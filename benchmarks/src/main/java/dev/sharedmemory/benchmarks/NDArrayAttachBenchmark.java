package dev.sharedmemory.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.Order;
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
 * Attaching to a {@code float64} {@link NDArray} of 1000 elements, its {@code .npy}
 * header parsed, and closing it, against attaching to a raw block of the same size and
 * closing it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class NDArrayAttachBenchmark {

	private SharedMemoryDirectory directory;

	private NDArray existing;

	private SharedMemory raw;

	/**
	 * Creates the array and the raw block to attach to, under names of this process.
	 */
	@Setup
	public void setUp() {
		this.directory = SharedMemoryDirectory.defaultDirectory();
		long pid = ProcessHandle.current().pid();
		this.existing = NDArray.create(this.directory, "jmh_ndarray_attach_" + pid, DType.FLOAT64, Order.C, 1000);
		this.raw = this.directory.create("jmh_ndarray_raw_" + pid, this.existing.shm().size());
	}

	/**
	 * Removes both blocks.
	 */
	@TearDown
	public void tearDown() {
		this.existing.close();
		this.existing.shm().unlink();
		this.raw.close();
		this.raw.unlink();
	}

	/**
	 * Attaches to the array, reading its header, and closes it.
	 * @return the closed array, so that nothing is optimised away
	 */
	@Benchmark
	public NDArray attachArray() {
		NDArray array = NDArray.attach(this.directory, this.existing.shm().name());
		array.close();
		return array;
	}

	/**
	 * Attaches to the raw block of the same size and closes it.
	 * @return the closed handle, so that nothing is optimised away
	 */
	@Benchmark
	public SharedMemory attachRaw() {
		SharedMemory block = this.directory.attach(this.raw.name());
		block.close();
		return block;
	}

}
