package dev.sharedmemory.autoconfigure.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetricsAutoConfiguration;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests {@code shared-memory.reclaim-orphans} and the {@code shared.memory.reclaimed}
 * meters: at start, the auto-configured manager unlinks the blocks a dead instance left,
 * counts them and their bytes, and leaves them when told to.
 */
class ReclaimOrphansAutoConfigurationTests {

	@TempDir
	Path directory;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SharedMemoryAutoConfiguration.class,
				SharedMemoryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class);

	@Test
	void startReclaimsTheBlocksOfADeadInstanceAndCountsThem() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(this.directory, "orphan", 1000, 24, 4096);
		this.contextRunner.withPropertyValues("shared-memory.directory=" + this.directory).run((context) -> {
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			assertThat(manager.reclaimsOrphans()).isTrue();
			assertThat(manager.reclaimedBlocks()).isEqualTo(3);
			assertThat(manager.reclaimedBytes()).isEqualTo(5120);
			orphans.forEach((name) -> assertThat(this.directory.resolve(name)).doesNotExist());
			SimpleMeterRegistry registry = context.getBean(SimpleMeterRegistry.class);
			FunctionCounter blocks = registry.get("shared.memory.reclaimed").functionCounter();
			FunctionCounter bytes = registry.get("shared.memory.reclaimed.size").functionCounter();
			assertThat(blocks.count()).isEqualTo(3);
			assertThat(blocks.getId().getBaseUnit()).isEqualTo("blocks");
			assertThat(bytes.count()).isEqualTo(5120);
			assertThat(bytes.getId().getBaseUnit()).isEqualTo(BaseUnits.BYTES);
			// A later reclaim, by hand, adds to the same counters.
			DeadOwner.leaveBlocks(this.directory, "later", 10);
			manager.reclaimOrphans();
			assertThat(blocks.count()).isEqualTo(4);
			assertThat(bytes.count()).isEqualTo(5130);
		});
		assertThat(this.directory).isEmptyDirectory();
	}

	@Test
	void reclaimOrphansFalseLeavesThem() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(this.directory, "orphan", 64);
		this.contextRunner
			.withPropertyValues("shared-memory.directory=" + this.directory, "shared-memory.reclaim-orphans=false")
			.run((context) -> {
				SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
				assertThat(manager.reclaimsOrphans()).isFalse();
				assertThat(manager.reclaimedBlocks()).isZero();
				assertThat(this.directory.resolve(orphans.get(0))).exists();
				assertThat(context.getBean(SimpleMeterRegistry.class)
					.get("shared.memory.reclaimed")
					.functionCounter()
					.count()).isZero();
			});
		try (Stream<Path> left = Files.list(this.directory)) {
			assertThat(left).hasSize(2);
		}
	}

	@Test
	void anInvalidValueFailsNamingTheProperty() {
		this.contextRunner
			.withPropertyValues("shared-memory.directory=" + this.directory, "shared-memory.reclaim-orphans=maybe")
			.run((context) -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("maybe"));
		assertThat(this.directory).isEmptyDirectory();
	}

}
