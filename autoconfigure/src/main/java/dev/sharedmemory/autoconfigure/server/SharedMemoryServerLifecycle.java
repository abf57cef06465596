package dev.sharedmemory.autoconfigure.server;

import dev.sharedmemory.autoconfigure.SharedMemoryManagerLifecycle;
import dev.sharedmemory.protocol.ManagerServer;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the manager server with the application context: it starts right after the manager, before any other
 * lifecycle component (a worker that connects to it, the web server), and stops before the manager unlinks the
 * blocks, so that no client tracks a block the manager would no longer unlink.
 */
public class SharedMemoryServerLifecycle implements SmartLifecycle {

	/** The phase in which the server starts and stops: just after the manager's. */
	public static final int PHASE = SharedMemoryManagerLifecycle.PHASE + 1;

	private final ManagerServer server;

	/**
	 * Creates a lifecycle for the given server.
	 * @param server the server to start and stop; a server starts once, so the context cannot be restarted
	 */
	public SharedMemoryServerLifecycle(ManagerServer server) {
		this.server = server;
	}

	@Override
	public void start() {
		this.server.start();
	}

	@Override
	public void stop() {
		this.server.stop();
	}

	@Override
	public boolean isRunning() {
		return this.server.isRunning();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
