package dev.sharedmemory.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

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
 * Bulk copy of a 256 MiB {@code float64} {@link NDArray} in and out, warm, from and into
 * an existing {@code double[]}: to set beside {@link BulkCopyBenchmark} (the same bytes
 * through {@code buf()}) and {@code memcpy}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
public class NDArrayBulkCopyBenchmark {

	private static final int LENGTH = BulkData.SIZE / Double.BYTES;

	private double[] source;

	private double[] target;

	private NDArray array;

	/**
	 * Creates the array and writes it once, so that every page is allocated and mapped;
	 * fills the source and touches the target.
	 */
	@Setup
	public void setUp() {
		this.source = new double[LENGTH];
		for (int i = 0; i < LENGTH; i++) {
			this.source[i] = i * 0.5;
		}
		this.target = new double[LENGTH];
		Arrays.fill(this.target, 1.0);
		this.array = NDArray.create(SharedMemoryDirectory.defaultDirectory(), DType.FLOAT64, Order.C, LENGTH);
		this.array.copyFrom(0, this.source, 0, LENGTH);
	}

	/**
	 * Removes the array's block.
	 */
	@TearDown
	public void tearDown() {
		this.array.close();
		this.array.shm().unlink();
	}

	/**
	 * Copies the source array into the array.
	 * @return the array, so that nothing is optimised away
	 */
	@Benchmark
	public NDArray copyIn() {
		this.array.copyFrom(0, this.source, 0, LENGTH);
		return this.array;
	}

	/**
	 * Copies the array into the target.
	 * @return the target, so that nothing is optimised away
	 */
	@Benchmark
	public double[] copyOut() {
		this.array.copyTo(0, this.target, 0, LENGTH);
		return this.target;
	}

}
