package dev.sharedmemory.autoconfigure.server;

import java.util.Arrays;
import java.util.List;

import dev.sharedmemory.SharedMemoryManager;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Chooses the {@link SharedMemoryManager} bean the server serves, as Spring Boot chooses
 * a single candidate: the one {@code shared-memory.server.manager} names, else the only
 * one, else the primary one. Anything else fails, naming the beans and the property.
 */
final class ServedManager {

	static final String PROPERTY = "shared-memory.server.manager";

	private ServedManager() {
	}

	/**
	 * Returns the name of the manager bean to serve.
	 * @param beanFactory the context's bean factory
	 * @param configured the bean name {@code shared-memory.server.manager} gives, if any
	 * @return the bean name
	 * @throws IllegalStateException if the configured name is no manager bean, or no
	 * single or primary manager can be told apart
	 */
	static String name(ConfigurableListableBeanFactory beanFactory, @Nullable String configured) {
		List<String> names = Arrays.asList(beanFactory.getBeanNamesForType(SharedMemoryManager.class));
		if (configured != null && !configured.isBlank()) {
			if (!beanFactory.containsBean(configured)
					|| !beanFactory.isTypeMatch(configured, SharedMemoryManager.class)) {
				throw new IllegalStateException(PROPERTY + " is '" + configured
						+ "', but no SharedMemoryManager bean has that name: the SharedMemoryManager beans are "
						+ names);
			}
			return configured;
		}
		if (names.size() == 1) {
			return names.get(0);
		}
		List<String> primary = names.stream()
			.filter((name) -> beanFactory.containsBeanDefinition(name)
					&& beanFactory.getMergedBeanDefinition(name).isPrimary())
			.toList();
		if (primary.size() == 1) {
			return primary.get(0);
		}
		String which = primary.isEmpty() ? "none of them primary" : primary + " all primary";
		throw new IllegalStateException("The shared memory manager server cannot tell which SharedMemoryManager to "
				+ "serve: the beans are " + names + ", " + which + ". Set " + PROPERTY
				+ " to the name of the one to serve, or mark one @Primary");
	}

}
