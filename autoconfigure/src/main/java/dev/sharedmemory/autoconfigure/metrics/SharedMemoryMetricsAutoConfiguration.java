package dev.sharedmemory.autoconfigure.metrics;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.SharedMemoryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for shared memory metrics: the {@link SharedMemoryMetrics},
 * Micrometer's {@link DiskSpaceMetrics} of the manager's directory and, when {@code shared-memory.metrics.per-block}
 * is on, the {@link SharedMemoryBlockMetrics}.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
		SharedMemoryAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(SharedMemoryManager.class)
@EnableConfigurationProperties(SharedMemoryProperties.class)
public final class SharedMemoryMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryMetrics sharedMemoryMetrics(SharedMemoryManager sharedMemoryManager) {
		return new SharedMemoryMetrics(sharedMemoryManager);
	}

	/**
	 * The directory's free and total space, as {@code disk.free} and {@code disk.total} tagged with its path, beside
	 * those of the paths in {@code management.metrics.system.diskspace.paths}.
	 */
	@Bean
	@ConditionalOnMissingBean(name = "sharedMemoryDiskSpaceMetrics")
	DiskSpaceMetrics sharedMemoryDiskSpaceMetrics(SharedMemoryManager sharedMemoryManager) {
		return new DiskSpaceMetrics(sharedMemoryManager.directory().path().toFile());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("shared-memory.metrics.per-block")
	SharedMemoryBlockMetrics sharedMemoryBlockMetrics(SharedMemoryManager sharedMemoryManager,
			SharedMemoryProperties properties) {
		return new SharedMemoryBlockMetrics(sharedMemoryManager, properties.getMetrics().getPerBlockRefresh());
	}

}
