package dev.sharedmemory.benchmarks;

import java.nio.ByteBuffer;
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
 * Workload 4, warm: 256 MiB copied into and out of {@link SharedMemory#buf()} of a block
 * whose pages are all mapped already, from and into an existing heap array. Compared with
 * {@code memcpy} between two warm buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
public class BulkCopyBenchmark {

	private SharedMemory block;

	/**
	 * Creates the block and writes it once, so that every page is allocated and mapped.
	 * @param data the arrays to copy from and to
	 */
	@Setup
	public void setUp(BulkData data) {
		this.block = SharedMemoryDirectory.defaultDirectory().create(BulkData.SIZE);
		this.block.buf().put(0, data.source);
	}

	/**
	 * Removes the block.
	 */
	@TearDown
	public void tearDown() {
		this.block.close();
		this.block.unlink();
	}

	/**
	 * Copies the source array into the block.
	 * @param data the arrays to copy from and to
	 * @return the block's view, so that nothing is optimised away
	 */
	@Benchmark
	public ByteBuffer copyIn(BulkData data) {
		return this.block.buf().put(0, data.source);
	}

	/**
	 * Copies the block into the target array.
	 * @param data the arrays to copy from and to
	 * @return the block's view, so that nothing is optimised away
	 */
	@Benchmark
	public ByteBuffer copyOut(BulkData data) {
		return this.block.buf().get(0, data.target);
	}

}
