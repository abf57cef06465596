package dev.sharedmemory.autoconfigure;

import java.nio.file.Path;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for a {@link SharedMemoryManager} that runs with the
 * application and unlinks the blocks created through it when the application stops.
 */
@AutoConfiguration
// Any value but 'false' matches, so that an invalid value reaches the binder and fails naming the key.
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@Conditional(OnSupportedPlatformCondition.class)
@EnableConfigurationProperties(SharedMemoryProperties.class)
public final class SharedMemoryAutoConfiguration {

	/**
	 * The manager starts here rather than in its lifecycle, so that beans may create blocks while they are being
	 * initialized. Its {@code close()} method is its destroy method: should the context fail to start, the blocks
	 * created until then are unlinked all the same. A block it loses to another process is published as a
	 * {@link SharedMemoryBlockLostEvent}.
	 */
	@Bean
	@ConditionalOnMissingBean
	SharedMemoryManager sharedMemoryManager(SharedMemoryProperties properties, ApplicationEventPublisher events) {
		Path path = properties.getDirectory();
		SharedMemoryDirectory directory = (path != null) ? SharedMemoryDirectory.of(path)
				: SharedMemoryDirectory.defaultDirectory();
		SharedMemoryManager manager = SharedMemoryManager.builder()
			.directory(directory)
			.unlinkOnShutdown(properties.isUnlinkOnShutdown())
			.reclaimOrphans(properties.isReclaimOrphans())
			.listener((block) -> events.publishEvent(new SharedMemoryBlockLostEvent(directory, block)))
			.build();
		manager.start();
		return manager;
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(SharedMemoryManager.class)
	SharedMemoryManagerLifecycle sharedMemoryManagerLifecycle(SharedMemoryManager sharedMemoryManager) {
		return new SharedMemoryManagerLifecycle(sharedMemoryManager);
	}

}
