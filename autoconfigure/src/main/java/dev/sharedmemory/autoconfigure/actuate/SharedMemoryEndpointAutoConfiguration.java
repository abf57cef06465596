package dev.sharedmemory.autoconfigure.actuate;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the
 * {@link SharedMemoryEndpoint}, over every {@link SharedMemoryManager} bean of the
 * context.
 */
@AutoConfiguration(after = SharedMemoryAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnBean(SharedMemoryManager.class)
@ConditionalOnAvailableEndpoint(SharedMemoryEndpoint.class)
public final class SharedMemoryEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryEndpoint sharedMemoryEndpoint(ConfigurableListableBeanFactory beanFactory) {
		return new SharedMemoryEndpoint(
				SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, SharedMemoryManager.class));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SharedMemoryEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SharedMemoryEndpointWebExtension sharedMemoryEndpointWebExtension(SharedMemoryEndpoint sharedMemoryEndpoint) {
		return new SharedMemoryEndpointWebExtension(sharedMemoryEndpoint);
	}

}
