package dev.sharedmemory.autoconfigure.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * {@link ContextCustomizer} that creates a temporary directory for each context it
 * customizes, points {@code shared-memory.directory} at it and registers it as a
 * {@link TestSharedMemoryDirectory} bean. The manager server is turned off: Python's
 * clients create their blocks in {@code /dev/shm}, never in a private directory. Every
 * customizer is equal to every other: contexts whose configuration is otherwise the same
 * are one cached context, with one directory.
 */
class TestSharedMemoryContextCustomizer implements ContextCustomizer {

	static final String BEAN_NAME = "testSharedMemoryDirectory";

	@Override
	public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
		Path path = createDirectory();
		context.getEnvironment()
			.getPropertySources()
			.addFirst(new MapPropertySource("testSharedMemory",
					Map.of("shared-memory.directory", path.toString(), "shared-memory.server.enabled", "false")));
		TestSharedMemoryDirectory directory = new TestSharedMemoryDirectory(path);
		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		beanFactory.registerSingleton(BEAN_NAME, directory);
		// Registered before any other bean, it is destroyed after all of them, the
		// managers included.
		if (beanFactory instanceof DefaultSingletonBeanRegistry registry) {
			registry.registerDisposableBean(BEAN_NAME, directory);
		}
	}

	private static Path createDirectory() {
		try {
			return Files.createTempDirectory("shared-memory-test-").toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a private shared memory directory", ex);
		}
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other != null) && other.getClass() == getClass();
	}

	@Override
	public int hashCode() {
		return getClass().hashCode();
	}

}
