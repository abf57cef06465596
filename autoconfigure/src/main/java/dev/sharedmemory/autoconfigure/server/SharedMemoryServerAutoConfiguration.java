package dev.sharedmemory.autoconfigure.server;

import java.util.Locale;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.protocol.ManagerAddress;
import dev.sharedmemory.protocol.ManagerServer;
import dev.sharedmemory.protocol.ManagerServerSettings;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of the manager server, when
 * {@code shared-memory.server.enabled} is true: Python processes use the application's
 * {@link SharedMemoryManager} as CPython's own {@code SharedMemoryManager}, and the
 * blocks they create are tracked by it, as coming from them. Where the context holds
 * several managers, it serves the one {@code shared-memory.server.manager} names, or else
 * the primary one, and fails at start-up when neither says which.
 */
@AutoConfiguration(after = SharedMemoryAutoConfiguration.class)
@ConditionalOnProperty(prefix = "shared-memory", name = "enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("shared-memory.server.enabled")
@ConditionalOnBean(SharedMemoryManager.class)
@EnableConfigurationProperties(SharedMemoryServerProperties.class)
public final class SharedMemoryServerAutoConfiguration {

	private static final String SERVER_BEAN_NAME = "sharedMemoryManagerServer";

	@Bean(SERVER_BEAN_NAME)
	@ConditionalOnMissingBean
	ManagerServer sharedMemoryManagerServer(ConfigurableListableBeanFactory beanFactory,
			SharedMemoryServerProperties properties) {
		String managerName = ServedManager.name(beanFactory, properties.getManager());
		SharedMemoryManager sharedMemoryManager = beanFactory.getBean(managerName, SharedMemoryManager.class);
		// Looked up by name, not injected: recorded, so that the server is destroyed
		// before the manager it tracks blocks for.
		beanFactory.registerDependentBean(managerName, SERVER_BEAN_NAME);
		ManagerServerSettings settings = ManagerServerSettings
			.of(ManagerAddress.parse(properties.getAddress()), properties.authkeyBytes())
			.withAllowRemoteShutdown(properties.isAllowRemoteShutdown());
		return new ManagerServer(settings, sharedMemoryManager.segmentRegistry());
	}

	@Bean
	@ConditionalOnMissingBean
	SharedMemoryServerLifecycle sharedMemoryServerLifecycle(ManagerServer sharedMemoryManagerServer) {
		return new SharedMemoryServerLifecycle(sharedMemoryManagerServer);
	}

	/**
	 * Keeps the authkey out of {@code /actuator/configprops} and {@code /actuator/env}
	 * even where they show values: Spring Boot masks no key by name.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(SanitizingFunction.class)
	static class AuthkeySanitizingConfiguration {

		@Bean
		SanitizingFunction sharedMemoryServerAuthkeySanitizingFunction() {
			return SanitizingFunction.sanitizeValue().ifKeyMatches(AuthkeySanitizingConfiguration::isAuthkey);
		}

		// Relaxed: shared-memory.server.authkey, sharedMemory.server.authKey,
		// SHARED_MEMORY_SERVER_AUTHKEY.
		private static boolean isAuthkey(String key) {
			return key.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "").endsWith("sharedmemoryserverauthkey");
		}

	}

}
