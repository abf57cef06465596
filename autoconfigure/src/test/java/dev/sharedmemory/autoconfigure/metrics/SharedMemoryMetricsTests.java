package dev.sharedmemory.autoconfigure.metrics;

import java.nio.file.Path;
import java.util.Map;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryNotFoundException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SharedMemoryMetrics}.
 */
class SharedMemoryMetricsTests {

	@TempDir
	Path directory;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private SharedMemoryManager manager;

	@BeforeEach
	void bind() {
		this.manager = SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(this.directory)).build();
		this.manager.start();
		new SharedMemoryMetrics(Map.of("sharedMemoryManager", this.manager)).bindTo(this.registry);
	}

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
	}

	@Test
	void gaugesFollowTheBlocksTheManagerTracks() {
		assertThat(gauge("shared.memory.blocks")).isZero();
		assertThat(gauge("shared.memory.size")).isZero();
		SharedMemory first = this.manager.sharedMemory(1000);
		this.manager.sharedMemory(24);
		assertThat(gauge("shared.memory.blocks")).isEqualTo(2);
		assertThat(gauge("shared.memory.size")).isEqualTo(1024);
		this.manager.unlink(first.name());
		assertThat(gauge("shared.memory.blocks")).isEqualTo(1);
		assertThat(gauge("shared.memory.size")).isEqualTo(24);
	}

	@Test
	void countersCountEachOperationByOutcome() {
		SharedMemory block = this.manager.sharedMemory(64);
		this.manager.attach(block.name()).close();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> this.manager.attach("none"));
		this.manager.unlink(block.name());
		assertThat(operations("create", "success")).isEqualTo(1);
		assertThat(operations("create", "failure")).isZero();
		assertThat(operations("attach", "success")).isEqualTo(1);
		assertThat(operations("attach", "failure")).isEqualTo(1);
		assertThat(operations("unlink", "success")).isEqualTo(1);
		assertThat(operations("close", "success")).isEqualTo(1);
		assertThat(this.registry.find("shared.memory.operations").functionCounters()).hasSize(8);
	}

	@Test
	void noMeterIsTaggedWithABlockName() {
		this.manager.sharedMemory(64);
		assertThat(this.registry.getMeters()).isNotEmpty()
			.allSatisfy((meter) -> assertThat(meter.getId().getTag("name")).isNull());
	}

	@Test
	void everyManagerHasItsMetersTaggedWithItsBeanNameAndEveryDirectoryItsSpace(@TempDir Path otherDirectory) {
		SharedMemoryManager other = SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(otherDirectory))
			.build();
		other.start();
		try {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new SharedMemoryMetrics(Map.of("sharedMemoryManager", this.manager, "otherManager", other))
				.bindTo(registry);
			this.manager.sharedMemory(64);
			other.sharedMemory(100);
			other.sharedMemory(28);
			assertThat(registry.get("shared.memory.blocks").tag("manager", "sharedMemoryManager").gauge().value())
				.isEqualTo(1);
			assertThat(registry.get("shared.memory.blocks").tag("manager", "otherManager").gauge().value())
				.isEqualTo(2);
			assertThat(registry.get("shared.memory.size").tag("manager", "otherManager").gauge().value())
				.isEqualTo(128);
			assertThat(registry.get("shared.memory.operations")
				.tags("manager", "otherManager", "operation", "create", "outcome", "success")
				.functionCounter()
				.count()).isEqualTo(2);
			assertThat(registry.find("shared.memory.operations").functionCounters()).hasSize(16);
			assertThat(registry.find("disk.free").gauges()).extracting((gauge) -> gauge.getId().getTag("path"))
				.containsExactlyInAnyOrder(this.directory.toAbsolutePath().toString(),
						otherDirectory.toAbsolutePath().toString());
		}
		finally {
			other.shutdown();
		}
	}

	@Test
	void directorySpaceIsMicrometersDiskSpaceTaggedWithItsPath() {
		String path = this.directory.toAbsolutePath().toString();
		Gauge free = this.registry.get("disk.free").tag("path", path).gauge();
		Gauge total = this.registry.get("disk.total").tag("path", path).gauge();
		assertThat(free.getId().getBaseUnit()).isEqualTo("bytes");
		assertThat(free.value()).isPositive().isLessThanOrEqualTo(total.value());
	}

	private double gauge(String name) {
		return this.registry.get(name).tag("manager", "sharedMemoryManager").gauge().value();
	}

	private double operations(String operation, String outcome) {
		return this.registry.get("shared.memory.operations")
			.tag("manager", "sharedMemoryManager")
			.tag("operation", operation)
			.tag("outcome", outcome)
			.functionCounter()
			.count();
	}

}
