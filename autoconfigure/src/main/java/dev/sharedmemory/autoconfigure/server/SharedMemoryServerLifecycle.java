package dev.sharedmemory.autoconfigure.server;

import dev.sharedmemory.protocol.ManagerServer;

import org.springframework.context.SmartLifecycle;

/**
 * Runs the manager server with the application context. The manager itself runs as long
 * as its bean exists (started when initialized, shut down when destroyed, after every
 * lifecycle component stopped), so the server always starts after it and stops before it
 * unlinks the blocks: no client tracks a block the manager would no longer unlink. Its
 * phase is low, so that it starts before, and stops after, the components that use it (a
 * worker process, the web server). A context stopped and started again stops and restarts
 * the server, on the same address.
 */
public class SharedMemoryServerLifecycle implements SmartLifecycle {

	/**
	 * The phase in which the server starts and stops: below the web server's and the
	 * usual components', with room below for one that must outlive it.
	 */
	public static final int PHASE = Integer.MIN_VALUE + 1024;

	private final ManagerServer server;

	/**
	 * Creates a lifecycle for the given server.
	 * @param server the server to start and stop
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
