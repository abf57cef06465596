package dev.sharedmemory.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 4, first touch: a fresh 256 MiB block is created and 256 MiB copied into or
 * out of it at once. The operation includes the create, because that is where this
 * library allocates the pages (by reserving them, or by the JDK's {@code fallocate} when
 * it maps the file) while C and Python allocate them at the first write: timing the copy
 * alone would hide that work on one side only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
public class FirstTouchBenchmark {

	/**
	 * Whether create writes the block's pages (the default) or leaves them to the system.
	 */
	@Param({ "true", "false" })
	public boolean reservePages;

	private SharedMemoryDirectory directory;

	private SharedMemory block;

	/**
	 * Picks the default directory with the page reservation under test.
	 */
	@Setup(Level.Trial)
	public void setUp() {
		this.directory = SharedMemoryDirectory.defaultDirectory().withPageReservation(this.reservePages);
	}

	/**
	 * Removes the block of the last iteration and has its mapping released, so that 256
	 * MiB blocks do not pile up until the garbage collector happens to run (JDK 17 unmaps
	 * a buffer only then).
	 */
	@TearDown(Level.Iteration)
	public void tearDown() {
		if (this.block != null) {
			this.block.close();
			this.block.unlink();
			this.block = null;
			System.gc();
		}
	}

	/**
	 * Creates a fresh block and copies the source array into it.
	 * @param data the arrays to copy from and to
	 * @return the block's view, so that nothing is optimised away
	 */
	@Benchmark
	public ByteBuffer createAndCopyIn(BulkData data) {
		this.block = this.directory.create(BulkData.SIZE);
		return this.block.buf().put(0, data.source);
	}

	/**
	 * Creates a fresh block and copies it into the target array.
	 * @param data the arrays to copy from and to
	 * @return the block's view, so that nothing is optimised away
	 */
	@Benchmark
	public ByteBuffer createAndCopyOut(BulkData data) {
		this.block = this.directory.create(BulkData.SIZE);
		return this.block.buf().get(0, data.target);
	}

}
