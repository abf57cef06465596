package dev.sharedmemory.autoconfigure.health;

import java.util.Map;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.SharedMemoryProperties;
import dev.sharedmemory.protocol.ManagerServer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the
 * {@link SharedMemoryHealthIndicator}, which reports as {@code sharedMemory}; with
 * several {@link SharedMemoryManager} beans, {@code sharedMemory} holds one indicator per
 * manager, by bean name.
 */
@AutoConfiguration(after = SharedMemoryAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass(Health.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(SharedMemoryManager.class)
@ConditionalOnEnabledHealthIndicator("sharedmemory")
@EnableConfigurationProperties({ SharedMemoryHealthIndicatorProperties.class, SharedMemoryProperties.class })
public final class SharedMemoryHealthContributorAutoConfiguration {

	/**
	 * One manager: its indicator. Several: a composite with an indicator per manager, by
	 * bean name, as Spring Boot does for several data sources.
	 */
	@Bean
	@ConditionalOnMissingBean(name = { "sharedMemoryHealthIndicator", "sharedMemoryHealthContributor" })
	HealthContributor sharedMemoryHealthContributor(ConfigurableListableBeanFactory beanFactory,
			SharedMemoryHealthIndicatorProperties properties, SharedMemoryProperties sharedMemoryProperties,
			ObjectProvider<ManagerServer> server) {
		Map<String, SharedMemoryManager> managers = SimpleAutowireCandidateResolver
			.resolveAutowireCandidates(beanFactory, SharedMemoryManager.class);
		DataSize threshold = threshold(properties, sharedMemoryProperties.getHealth());
		if (managers.size() == 1) {
			// The manager server serves a single manager: its indicator reports it.
			return new SharedMemoryHealthIndicator(managers.values().iterator().next(), threshold,
					server.getIfUnique());
		}
		return CompositeHealthContributor.fromMap(managers,
				(manager) -> new SharedMemoryHealthIndicator(manager, threshold));
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
