package dev.sharedmemory.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

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
 * The floor under {@link CreateBenchmark} and {@link AttachBenchmark}: the same 4 KiB
 * create and attach done with the JDK's own calls and nothing of this library (no name
 * check, no registry, no owner record), so that the table shows how much of Java's cost
 * over C is the JDK's and how much is the library's.
 * <p>
 * It uses the cheapest calls the JDK offers on every version from 17: a
 * {@code FileChannel} opened on the file, {@code map} (which sizes a new file with
 * {@code ftruncate}, as C does), and {@link File#delete()} (one {@code unlink}). The JDK
 * unmaps a {@code MappedByteBuffer} only when it is collected, and nothing else makes the
 * collector run in this loop, so it asks for a collection every {@value #COLLECT_EVERY}
 * mappings: as the library's unmap backlog does at a quarter of the mapping limit, and
 * before the process meets {@code vm.max_map_count}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class JdkFloorBenchmark {

	static final int COLLECT_EVERY = 16_384;

	private Path existing;

	private String prefix;

	private long created;

	private int mapped;

	/**
	 * Creates the block to attach to, under a name of this process.
	 * @throws IOException if it cannot be created
	 */
	@Setup
	public void setUp() throws IOException {
		long pid = ProcessHandle.current().pid();
		this.existing = Path.of("/dev/shm", "jmh_floor_attach_" + pid);
		// ftruncate(2), as C sizes its block: FileChannel.truncate never makes a file
		// longer.
		try (RandomAccessFile file = new RandomAccessFile(this.existing.toFile(), "rw")) {
			file.setLength(CreateBenchmark.BLOCK_SIZE);
		}
		// A file of 0 bytes would be "mapped" with no system call at all.
		if (Files.size(this.existing) != CreateBenchmark.BLOCK_SIZE) {
			throw new IllegalStateException(this.existing + " is not " + CreateBenchmark.BLOCK_SIZE + " bytes");
		}
		this.prefix = "/dev/shm/jmh_floor_" + pid + "_";
	}

	/**
	 * Removes the block.
	 * @throws IOException if it cannot be removed
	 */
	@TearDown
	public void tearDown() throws IOException {
		Files.deleteIfExists(this.existing);
	}

	/**
	 * Opens the block, maps it at the size the file has and closes the descriptor, as C's
	 * {@code shm_open}, {@code fstat}, {@code mmap} and {@code close}.
	 * @return the mapping, so that nothing is optimised away
	 * @throws IOException if the block cannot be opened or mapped
	 */
	@Benchmark
	public MappedByteBuffer attachClose() throws IOException {
		try (FileChannel channel = FileChannel.open(this.existing, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			return mapped(channel.map(MapMode.READ_WRITE, 0, channel.size()));
		}
	}

	/**
	 * Creates a block under a new name, maps it, closes the descriptor and unlinks it, as
	 * C's {@code shm_open}, {@code ftruncate}, {@code mmap}, {@code close} and
	 * {@code shm_unlink}.
	 * @return the mapping, so that nothing is optimised away
	 * @throws IOException if the block cannot be created or mapped
	 */
	@Benchmark
	public MappedByteBuffer createCloseUnlink() throws IOException {
		// A counter, not random bytes, as C's limit does.
		String name = this.prefix + this.created++;
		MappedByteBuffer mapping;
		try (FileChannel channel = FileChannel.open(Path.of(name), StandardOpenOption.CREATE_NEW,
				StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			mapping = channel.map(MapMode.READ_WRITE, 0, CreateBenchmark.BLOCK_SIZE);
		}
		if (!new File(name).delete()) {
			throw new IOException("Cannot unlink " + name);
		}
		return mapped(mapping);
	}

	private MappedByteBuffer mapped(MappedByteBuffer mapping) {
		if (++this.mapped == COLLECT_EVERY) {
			this.mapped = 0;
			System.gc();
		}
		return mapping;
	}

}
