package dev.sharedmemory.benchmarks;

import java.nio.ByteBuffer;
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
 * Element access by index tuple to a 1000 × 1000 {@code float64} {@link NDArray}, against
 * the same access through a plain {@link ByteBuffer} view of its data with the offset
 * computed by hand: one read or one write per operation, walking the array row by row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class NDArrayAccessBenchmark {

	private static final int SIDE = 1000;

	private NDArray array;

	private ByteBuffer buffer;

	private int row;

	private int column;

	/**
	 * Creates the array, and the plain view of its data.
	 */
	@Setup
	public void setUp() {
		this.array = NDArray.create(SharedMemoryDirectory.defaultDirectory(), DType.FLOAT64, Order.C, SIDE, SIDE);
		this.buffer = this.array.data();
	}

	/**
	 * Removes the array's block.
	 */
	@TearDown
	public void tearDown() {
		this.array.close();
		this.array.shm().unlink();
	}

	private void next() {
		if (++this.column == SIDE) {
			this.column = 0;
			this.row = (this.row + 1 == SIDE) ? 0 : this.row + 1;
		}
	}

	/**
	 * Reads one element by index.
	 * @return the element
	 */
	@Benchmark
	public double getDouble() {
		next();
		return this.array.getDouble(this.row, this.column);
	}

	/**
	 * Writes one element by index.
	 * @return the array
	 */
	@Benchmark
	public NDArray setDouble() {
		next();
		this.array.setDouble(this.column, this.row, this.column);
		return this.array;
	}

	/**
	 * Reads the same element through the plain buffer.
	 * @return the element
	 */
	@Benchmark
	public double byteBufferGetDouble() {
		next();
		return this.buffer.getDouble((this.row * SIDE + this.column) * Double.BYTES);
	}

	/**
	 * Writes the same element through the plain buffer.
	 * @return the buffer
	 */
	@Benchmark
	public ByteBuffer byteBufferPutDouble() {
		next();
		return this.buffer.putDouble((this.row * SIDE + this.column) * Double.BYTES, this.column);
	}

}
