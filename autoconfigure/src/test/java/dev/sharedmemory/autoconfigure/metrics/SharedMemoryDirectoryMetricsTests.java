package dev.sharedmemory.autoconfigure.metrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.reliability.DeadOwner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedMemoryDirectoryMetrics}.
 */
class SharedMemoryDirectoryMetricsTests {

	@TempDir
	Path directory;

	private SharedMemoryManager manager;

	private final AtomicLong nanoTime = new AtomicLong();

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@BeforeEach
	void startManager() {
		this.manager = SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(this.directory))
			.reclaimOrphans(false)
			.build();
		this.manager.start();
		new SharedMemoryDirectoryMetrics(Map.of("sharedMemoryManager", this.manager), Duration.ofSeconds(5),
				this.nanoTime::get)
			.bindTo(this.registry);
	}

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
		this.manager.reclaimOrphans();
	}

	@Test
	void blocksAndBytesByCategoryFromOneCensusPerMaxAge() throws Exception {
		this.manager.sharedMemory(4096);
		List<String> orphans = DeadOwner.leaveBlocks(this.directory, "metrics-orphan-", 8192, 4096);
		this.manager.directory().create("metrics-unmanaged", 4096).close();

		assertThat(blocks("application")).isOne();
		assertThat(bytes("application")).isEqualTo(4096);
		assertThat(blocks("orphaned")).isEqualTo(orphans.size());
		assertThat(bytes("orphaned")).isEqualTo(12288);
		assertThat(blocks("unmanaged")).isOne();
		assertThat(blocks("other-manager")).isZero();
		assertThat(this.registry.find("shared.memory.directory.blocks").gauges()).hasSize(4);

		this.manager.reclaimOrphans();
		// Within the maximum age, the census already taken answers.
		assertThat(blocks("orphaned")).isEqualTo(orphans.size());
		this.nanoTime.addAndGet(Duration.ofSeconds(5).toNanos());
		assertThat(blocks("orphaned")).isZero();
		assertThat(bytes("orphaned")).isZero();
	}

	private double blocks(String category) {
		return this.registry.get("shared.memory.directory.blocks").tag("category", category).gauge().value();
	}

	private double bytes(String category) {
		return this.registry.get("shared.memory.directory.bytes").tag("category", category).gauge().value();
	}

}
