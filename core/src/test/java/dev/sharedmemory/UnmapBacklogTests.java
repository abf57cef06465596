package dev.sharedmemory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.sharedmemory.mapping.UnmapBacklog;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the mappings of closed blocks that wait for the garbage collector stay in
 * bounds when nothing else makes it run: a JVM with a young generation large enough to go
 * through 200,000 create, write, close and unlink cycles of 4 KiB without a collection of
 * its own, which left 60,207 mappings behind on JDK 17 before, against Linux's default
 * {@code vm.max_map_count} of 65,530.
 */
class UnmapBacklogTests {

	private static final int CYCLES = 200_000;

	@TempDir(factory = InDevShm.class)
	Path directory;

	@Test
	void closedBlocksWaitingForTheCollectorStayFarBelowTheMappingLimit() throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		List<String> command = List.of(java.toString(), "-Xmn4g", "-Xmx5g", "-XX:+UseParallelGC", "-cp",
				System.getProperty("java.class.path"), CloseManyBlocks.class.getName(), this.directory.toString(),
				Integer.toString(CYCLES));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(5, TimeUnit.MINUTES)).as(out).isTrue();
		assertThat(process.exitValue()).as(out).isZero();
		// "<mappings at start> <most mappings seen> <count limit> <collections asked
		// for>"
		long[] figures = Stream.of(out.strip().split(" ")).mapToLong(Long::parseLong).toArray();
		long baseline = figures[0];
		long most = figures[1];
		long countLimit = figures[2];
		assertThat(countLimit).isLessThanOrEqualTo(limitOfThisMachine() / 2);
		// Not vacuous: the cycles would have left 200,000 mappings, and nothing but the
		// backlog asked for a collection.
		assertThat(figures[3]).as(out).isPositive();
		assertThat(most).as(out).isLessThan(baseline + countLimit + 1_000);
		try (Stream<Path> left = Files.list(this.directory)) {
			assertThat(left).isEmpty();
		}
	}

	private static long limitOfThisMachine() throws IOException {
		return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/vm/max_map_count")).get(0).trim());
	}

	/**
	 * Creates, writes, closes and unlinks 4 KiB blocks in a directory and prints the
	 * mappings of the process before and at most, the backlog's limit and the collections
	 * it asked for.
	 */
	static final class CloseManyBlocks {

		public static void main(String[] args) throws IOException {
			SharedMemoryDirectory directory = SharedMemoryDirectory.of(Path.of(args[0]));
			int cycles = Integer.parseInt(args[1]);
			long baseline = mappings();
			long most = baseline;
			for (int i = 0; i < cycles; i++) {
				SharedMemory block = directory.create("cycle_" + i, 4096);
				block.buf().putLong(0, i);
				block.close();
				block.unlink();
				if (i % 2_000 == 0) {
					most = Math.max(most, mappings());
				}
			}
			most = Math.max(most, mappings());
			UnmapBacklog backlog = UnmapBacklog.get();
			System.out
				.println(baseline + " " + most + " " + backlog.countLimit() + " " + backlog.collectionsRequested());
		}

		private static long mappings() throws IOException {
			try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
				return lines.count();
			}
		}

	}

}
