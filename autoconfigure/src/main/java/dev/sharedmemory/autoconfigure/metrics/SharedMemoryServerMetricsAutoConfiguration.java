package dev.sharedmemory.autoconfigure.metrics;

import dev.sharedmemory.autoconfigure.server.SharedMemoryServerAutoConfiguration;
import dev.sharedmemory.protocol.ManagerServer;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the
 * {@link SharedMemoryServerMetrics} of the manager server.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
		SharedMemoryServerAutoConfiguration.class })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnSingleCandidate(ManagerServer.class)
public final class SharedMemoryServerMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryServerMetrics sharedMemoryServerMetrics(ManagerServer sharedMemoryManagerServer) {
		return new SharedMemoryServerMetrics(sharedMemoryManagerServer);
	}

}
