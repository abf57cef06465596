package dev.sharedmemory.autoconfigure.test;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * {@link ContextCustomizerFactory} that gives the contexts of a test class annotated with
 * {@link AutoConfigureTestSharedMemory} (or enclosed in one) a private shared memory
 * directory.
 */
class TestSharedMemoryContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		return TestContextAnnotationUtils.hasAnnotation(testClass, AutoConfigureTestSharedMemory.class)
				? new TestSharedMemoryContextCustomizer() : null;
	}

}
