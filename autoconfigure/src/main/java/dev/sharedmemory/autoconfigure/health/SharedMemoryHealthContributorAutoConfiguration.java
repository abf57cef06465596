package dev.sharedmemory.autoconfigure.health;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.SharedMemoryProperties;
import dev.sharedmemory.protocol.ManagerServer;

import org.springframework.beans.factory.ObjectProvider;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link SharedMemoryHealthIndicator}, which reports as
 * {@code sharedMemory}.
 */
@AutoConfiguration(after = SharedMemoryAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass(Health.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(SharedMemoryManager.class)
@ConditionalOnEnabledHealthIndicator("sharedmemory")
@EnableConfigurationProperties({ SharedMemoryHealthIndicatorProperties.class, SharedMemoryProperties.class })
public final class SharedMemoryHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "sharedMemoryHealthIndicator")
	SharedMemoryHealthIndicator sharedMemoryHealthIndicator(SharedMemoryManager sharedMemoryManager,
			SharedMemoryHealthIndicatorProperties properties, SharedMemoryProperties sharedMemoryProperties,
			ObjectProvider<ManagerServer> server) {
		return new SharedMemoryHealthIndicator(sharedMemoryManager,
				threshold(properties, sharedMemoryProperties.getHealth()), server.getIfUnique());
	}

	// The deprecated key still counts, until the application sets its replacement.
	private static DataSize threshold(SharedMemoryHealthIndicatorProperties properties,
			SharedMemoryProperties.Health deprecated) {
		DataSize threshold = properties.getThreshold();
		if (threshold != null) {
			return threshold;
		}
		DataSize minFree = deprecated.getMinFree();
		return (minFree != null) ? minFree : SharedMemoryHealthIndicatorProperties.DEFAULT_THRESHOLD;
	}

}
