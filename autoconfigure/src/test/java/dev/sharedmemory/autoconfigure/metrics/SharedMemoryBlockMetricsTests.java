package dev.sharedmemory.autoconfigure.metrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SharedMemoryBlockMetrics}.
 */
class SharedMemoryBlockMetricsTests {

	@TempDir
	Path directory;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private SharedMemoryManager manager;

	@BeforeEach
	void startManager() {
		this.manager = SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(this.directory)).build();
		this.manager.start();
	}

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
	}

	@Test
	void gaugesOfNewBlocksComeAndThoseOfUnlinkedBlocksGoOnRefresh() {
		SharedMemory first = this.manager.sharedMemory(100);
		try (SharedMemoryBlockMetrics metrics = new SharedMemoryBlockMetrics(managers(), Duration.ofHours(1))) {
			metrics.bindTo(this.registry);
			assertThat(blockSize(first.name())).isEqualTo(100);
			SharedMemory second = this.manager.sharedMemory(200);
			metrics.refresh();
			assertThat(blockSize(second.name())).isEqualTo(200);
			this.manager.unlink(first.name());
			metrics.refresh();
			assertThat(this.registry.find("shared.memory.block.size").tag("name", first.name()).gauge()).isNull();
			assertThat(this.registry.find("shared.memory.block.size").gauges()).hasSize(1);
		}
	}

	@Test
	void followsTheManagerOnItsOwn() {
		try (SharedMemoryBlockMetrics metrics = new SharedMemoryBlockMetrics(managers(), Duration.ofMillis(20))) {
			metrics.bindTo(this.registry);
			SharedMemory block = this.manager.sharedMemory(300);
			await().until(() -> this.registry.find("shared.memory.block.size").tag("name", block.name()).gauge(),
					(gauge) -> gauge != null && gauge.value() == 300);
			this.manager.unlink(block.name());
			await().until(() -> this.registry.find("shared.memory.block.size").gauges().isEmpty());
		}
	}

	private Map<String, SharedMemoryManager> managers() {
		return Map.of("sharedMemoryManager", this.manager);
	}

	private double blockSize(String name) {
		Gauge gauge = this.registry.get("shared.memory.block.size")
			.tags("manager", "sharedMemoryManager", "name", name)
			.gauge();
		assertThat(gauge.getId().getBaseUnit()).isEqualTo("bytes");
		return gauge.value();
	}

}
