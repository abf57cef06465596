package dev.sharedmemory.autoconfigure.metrics;

import java.time.Duration;
import java.util.Map;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.SharedMemoryProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for shared memory metrics of every
 * {@link SharedMemoryManager} bean, tagged with its bean name: the
 * {@link SharedMemoryMetrics}, with Micrometer's {@link DiskSpaceMetrics} of their
 * directories, the {@link SharedMemoryDirectoryMetrics} of what the directories hold,
 * and, when {@code shared-memory.metrics.per-block} is on, the
 * {@link SharedMemoryBlockMetrics}.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
		SharedMemoryAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnBean({ MeterRegistry.class, SharedMemoryManager.class })
@EnableConfigurationProperties(SharedMemoryProperties.class)
public final class SharedMemoryMetricsAutoConfiguration {

	// Scrapes come every 10 s or more: a census a few seconds old is current, and a burst
	// of gauge reads costs one.
	private static final Duration DIRECTORY_CENSUS_MAX_AGE = Duration.ofSeconds(5);

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryMetrics sharedMemoryMetrics(ConfigurableListableBeanFactory beanFactory) {
		return new SharedMemoryMetrics(managers(beanFactory));
	}

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryDirectoryMetrics sharedMemoryDirectoryMetrics(ConfigurableListableBeanFactory beanFactory) {
		return new SharedMemoryDirectoryMetrics(managers(beanFactory), DIRECTORY_CENSUS_MAX_AGE);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty("shared-memory.metrics.per-block")
	SharedMemoryBlockMetrics sharedMemoryBlockMetrics(ConfigurableListableBeanFactory beanFactory,
			SharedMemoryProperties properties) {
		return new SharedMemoryBlockMetrics(managers(beanFactory), properties.getMetrics().getPerBlockRefresh());
	}

	private static Map<String, SharedMemoryManager> managers(ConfigurableListableBeanFactory beanFactory) {
		return SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, SharedMemoryManager.class);
	}

}
