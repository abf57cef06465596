package dev.sharedmemory.autoconfigure.actuate;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the {@link SharedMemoryEndpoint}.
 */
@AutoConfiguration(after = SharedMemoryAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnSingleCandidate(SharedMemoryManager.class)
@ConditionalOnAvailableEndpoint(SharedMemoryEndpoint.class)
public final class SharedMemoryEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryEndpoint sharedMemoryEndpoint(SharedMemoryManager sharedMemoryManager) {
		return new SharedMemoryEndpoint(sharedMemoryManager);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SharedMemoryEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SharedMemoryEndpointWebExtension sharedMemoryEndpointWebExtension(SharedMemoryEndpoint sharedMemoryEndpoint) {
		return new SharedMemoryEndpointWebExtension(sharedMemoryEndpoint);
	}

}
