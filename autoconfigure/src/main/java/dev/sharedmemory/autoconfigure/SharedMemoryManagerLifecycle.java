package dev.sharedmemory.autoconfigure;

import dev.sharedmemory.SharedMemoryException;
import dev.sharedmemory.SharedMemoryManager;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.log.LogMessage;

/**
 * Runs a {@link SharedMemoryManager} with the application context: starts it before any other lifecycle component
 * and stops it, unlinking its blocks unless told otherwise, after all of them, the web server included.
 * <p>
 * Lower phases start first and stop last. Spring Boot's web server drains requests in phase
 * {@code SmartLifecycle.DEFAULT_PHASE - 1024} and stops in {@code SmartLifecycle.DEFAULT_PHASE - 2048}; message
 * listeners and other components mostly use {@code DEFAULT_PHASE} or {@code 0}. {@link #PHASE} is below them all,
 * so no request and no listener can reach a block once it is gone.
 */
public class SharedMemoryManagerLifecycle implements SmartLifecycle {

	/**
	 * The phase in which the manager starts and stops. It leaves room below for a component that must outlive it.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1024;

	private static final Log logger = LogFactory.getLog(SharedMemoryManagerLifecycle.class);

	private final SharedMemoryManager manager;

	/**
	 * Creates a lifecycle for the given manager.
	 * @param manager the manager to start and stop
	 */
	public SharedMemoryManagerLifecycle(SharedMemoryManager manager) {
		this.manager = manager;
	}

	@Override
	public void start() {
		this.manager.start();
	}

	@Override
	public void stop() {
		int blocks = this.manager.blockCount();
		if (blocks > 0) {
			String format = this.manager.unlinksOnShutdown() ? "Unlinking %d shared memory block(s) in %s"
					: "Leaving %d shared memory block(s) in %s to outlive the application";
			logger.info(LogMessage.format(format, blocks, this.manager.directory().path()));
		}
		try {
			this.manager.shutdown();
		}
		catch (SharedMemoryException ex) {
			// The manager tried every block and logged each failure; the context goes on stopping.
			logger.warn("Shared memory manager did not shut down cleanly: " + ex.getMessage());
		}
	}

	@Override
	public boolean isRunning() {
		return this.manager.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
