package dev.sharedmemory.autoconfigure;

import java.nio.file.Path;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for a {@link SharedMemoryManager}
 * that runs with the application and unlinks the blocks created through it when the
 * application context closes. Its directory is {@code shared-memory.directory}, which
 * defaults to the JVM's default directory, the one the static {@code SharedMemory} and
 * {@code ShareableList} factories use.
 */
@AutoConfiguration
// Any value but 'false' matches, so that an invalid value reaches the binder and fails
// naming the key.
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@Conditional(OnSupportedPlatformCondition.class)
@EnableConfigurationProperties(SharedMemoryProperties.class)
public final class SharedMemoryAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SharedMemoryAutoConfiguration.class);

	/**
	 * Started once initialized and shut down as the context closes, as every manager bean
	 * is (see {@link #sharedMemoryManagerBeanPostProcessor()}). A block it loses to
	 * another process is published as a {@link SharedMemoryBlockLostEvent}.
	 */
	@Bean
	@ConditionalOnMissingBean
	SharedMemoryManager sharedMemoryManager(SharedMemoryProperties properties, ApplicationEventPublisher events) {
		SharedMemoryDirectory directory = SharedMemoryDirectory.of(properties.getDirectory().toPath());
		logIfNotTheDefault(directory.path());
		return SharedMemoryManager.builder()
			.directory(directory)
			.unlinkOnShutdown(properties.isUnlinkOnShutdown())
			.reclaimOrphans(properties.isReclaimOrphans())
			.listener((block) -> events.publishEvent(new SharedMemoryBlockLostEvent(directory, block)))
			.build();
	}

	// Legitimate (a test's own directory), but a static factory called by mistake would
	// go elsewhere unseen.
	private static void logIfNotTheDefault(Path directory) {
		Path jvmDefault = SharedMemoryDirectory.defaultDirectory().path();
		if (!directory.equals(jvmDefault)) {
			logger.info("Shared memory manager uses " + directory + " (shared-memory.directory); the static "
					+ "SharedMemory and ShareableList factories use the JVM's default directory " + jvmDefault
					+ " and are not tracked (set -D" + SharedMemoryDirectory.DIRECTORY_PROPERTY + " to move it)");
		}
	}

	/**
	 * Runs every manager bean of the context, the application's own included, from its
	 * creation to its destruction.
	 * @return the post-processor
	 */
	@Bean
	static SharedMemoryManagerBeanPostProcessor sharedMemoryManagerBeanPostProcessor() {
		return new SharedMemoryManagerBeanPostProcessor();
	}

}
