package dev.sharedmemory.autoconfigure;

import dev.sharedmemory.SharedMemoryException;
import dev.sharedmemory.SharedMemoryManager;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.log.LogMessage;

/**
 * Runs every {@link SharedMemoryManager} bean for as long as the bean exists: starts it
 * once it is initialized, so that the beans it is injected into may create blocks in
 * their constructors, and shuts it down, unlinking its blocks unless told otherwise, when
 * the context destroys it.
 * <p>
 * The manager is deliberately no {@code Lifecycle} component. A context destroys its
 * beans only as it closes, after every lifecycle component, the web server included, has
 * stopped, and destroys the beans that depend on a manager before the manager: no
 * request, listener or {@code @PreDestroy} method of theirs can reach a block once it is
 * gone. {@code stop()}, {@code pause()} (which Spring's test framework calls on cached
 * contexts it is not using), {@code restart()} and a CRaC checkpoint leave the manager
 * and its blocks alone.
 */
final class SharedMemoryManagerBeanPostProcessor implements DestructionAwareBeanPostProcessor {

	private static final Log logger = LogFactory.getLog(SharedMemoryManagerBeanPostProcessor.class);

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof SharedMemoryManager manager) {
			manager.start();
		}
		return bean;
	}

	@Override
	public void postProcessBeforeDestruction(Object bean, String beanName) {
		if (bean instanceof SharedMemoryManager manager) {
			shutdown(manager, beanName);
		}
	}

	@Override
	public boolean requiresDestruction(Object bean) {
		return bean instanceof SharedMemoryManager;
	}

	private static void shutdown(SharedMemoryManager manager, String beanName) {
		int blocks = manager.isRunning() ? manager.blockCount() : 0;
		if (blocks > 0) {
			String format = manager.unlinksOnShutdown() ? "Unlinking %d shared memory block(s) in %s (%s)"
					: "Leaving %d shared memory block(s) in %s (%s) to outlive the application";
			logger.info(LogMessage.format(format, blocks, manager.directory().path(), beanName));
		}
		try {
			manager.shutdown();
		}
		catch (SharedMemoryException ex) {
			// The manager tried every block and logged each failure; the context goes on
			// closing.
			logger.warn(LogMessage.format("Shared memory manager '%s' did not shut down cleanly: %s", beanName,
					ex.getMessage()));
		}
	}

}
