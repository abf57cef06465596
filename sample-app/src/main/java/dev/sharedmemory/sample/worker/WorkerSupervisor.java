package dev.sharedmemory.sample.worker;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.autoconfigure.server.SharedMemoryServerProperties;
import dev.sharedmemory.protocol.ManagerServer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the Python worker as a child process: starts it with the application, restarts it
 * when it dies, and stops it when the application stops. Jobs reach it as lines on its
 * standard input, one list name each; closing that input tells it to stop, and since the
 * pipe closes with the application too, the worker never outlives it. When the
 * application's manager is served to Python processes
 * ({@code shared-memory.server.enabled}), the worker is told where and with which authkey
 * through its environment ({@value #ADDRESS_VARIABLE}, {@value #AUTHKEY_VARIABLE}), never
 * on its command line, which any user can read.
 */
@Component
@ConditionalOnBooleanProperty(name = "sample.worker.enabled", matchIfMissing = true)
public class WorkerSupervisor implements SmartLifecycle {

	// Lower phases start first and stop last: the worker is up before the web server
	// takes jobs, and is stopped
	// only once the web server stopped (its graceful shutdown runs at DEFAULT_PHASE -
	// 1024).
	private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	// A worker that dies sooner than this after its start makes the next restart wait
	// twice as long.
	private static final Duration QUICK_DEATH = Duration.ofMinutes(1);

	// The restart delay doubles up to 2^5 = 32 times sample.worker.restart-delay.
	private static final int MAX_DOUBLINGS = 5;

	/**
	 * The environment variable that tells the worker where the application's manager
	 * server listens.
	 */
	public static final String ADDRESS_VARIABLE = "SHARED_MEMORY_MANAGER_ADDRESS";

	/** The environment variable that holds the manager server's authkey. */
	public static final String AUTHKEY_VARIABLE = "SHARED_MEMORY_MANAGER_AUTHKEY";

	private static final Log logger = LogFactory.getLog(WorkerSupervisor.class);

	private static final Log workerOutput = LogFactory.getLog("dev.sharedmemory.sample.worker.python");

	private final WorkerProperties properties;

	private final ObjectProvider<ManagerServer> managerServer;

	private final ObjectProvider<SharedMemoryServerProperties> managerServerProperties;

	private @Nullable WorkerScript script;

	private @Nullable ScheduledExecutorService restarts;

	private @Nullable Process process;

	private @Nullable Writer input;

	private Instant startedAt = Instant.EPOCH;

	private boolean running;

	private int restartCount;

	private int quickDeaths;

	private @Nullable Integer lastExitCode;

	/**
	 * Creates a supervisor.
	 * @param properties how to run the worker
	 * @param managerServer the server of the application's manager, if it is served to
	 * Python processes
	 * @param managerServerProperties its properties, which hold the authkey
	 */
	public WorkerSupervisor(WorkerProperties properties, ObjectProvider<ManagerServer> managerServer,
			ObjectProvider<SharedMemoryServerProperties> managerServerProperties) {
		this.properties = properties;
		this.managerServer = managerServer;
		this.managerServerProperties = managerServerProperties;
	}

	/**
	 * Starts the worker.
	 * @throws IllegalStateException if it cannot be started, which fails the
	 * application's start: a job service without its worker would only pile up pending
	 * jobs
	 */
	@Override
	public synchronized void start() {
		this.script = WorkerScript.resolve(this.properties.script());
		this.restarts = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "worker-restart");
			thread.setDaemon(true);
			return thread;
		});
		this.running = true;
		try {
			launch();
		}
		catch (IOException ex) {
			stop();
			throw new IllegalStateException("Could not start the Python worker with " + command()
					+ ": install Python 3.9 or later, set sample.worker.command to the command that runs it, "
					+ "or set sample.worker.enabled=false and run the worker yourself", ex);
		}
	}

	private synchronized void launch() throws IOException {
		List<String> command = command();
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("PYTHONUNBUFFERED", "1");
		ManagerServer server = this.managerServer.getIfUnique();
		SharedMemoryServerProperties serverProperties = this.managerServerProperties.getIfUnique();
		String authkey = (serverProperties != null) ? serverProperties.getAuthkey() : null;
		if (server != null && server.isRunning() && authkey != null) {
			builder.environment().put(ADDRESS_VARIABLE, server.address().toString());
			builder.environment().put(AUTHKEY_VARIABLE, authkey);
		}
		Process started = builder.start();
		this.process = started;
		this.input = new BufferedWriter(new OutputStreamWriter(started.getOutputStream(), StandardCharsets.UTF_8));
		this.startedAt = Instant.now();
		relayOutput(started);
		started.onExit().thenAccept(this::exited);
		logger.info("Started worker process " + started.pid() + ": " + String.join(" ", command));
	}

	private void relayOutput(Process worker) {
		Thread relay = new Thread(() -> {
			try (BufferedReader output = new BufferedReader(
					new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = output.readLine(); line != null; line = output.readLine()) {
					workerOutput.info(line);
				}
			}
			catch (IOException ex) {
				// The pipe breaks when the worker is killed: nothing more to relay.
			}
		}, "worker-output-" + worker.pid());
		relay.setDaemon(true);
		relay.start();
	}

	private synchronized void exited(Process exited) {
		if (exited != this.process) {
			return;
		}
		this.process = null;
		this.input = null;
		this.lastExitCode = exited.exitValue();
		if (!this.running) {
			return;
		}
		boolean quick = Duration.between(this.startedAt, Instant.now()).compareTo(QUICK_DEATH) < 0;
		this.quickDeaths = quick ? this.quickDeaths + 1 : 0;
		long factor = 1L << Math.min(Math.max(this.quickDeaths - 1, 0), MAX_DOUBLINGS);
		Duration delay = this.properties.restartDelay().multipliedBy(factor);
		logger.warn("Worker process " + exited.pid() + " exited with code " + this.lastExitCode + "; restarting it in "
				+ delay.toMillis() + " ms");
		this.restarts.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
	}

	private synchronized void restart() {
		if (!this.running || this.process != null) {
			return;
		}
		this.restartCount++;
		try {
			launch();
		}
		catch (IOException ex) {
			logger.error("Could not restart the worker with " + command() + ": " + ex.getMessage()
					+ "; trying again in " + this.properties.restartDelay().toMillis() + " ms");
			this.restarts.schedule(this::restart, this.properties.restartDelay().toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Hands a job to the worker.
	 * @param statusBlock the name of the job's list
	 * @return the pid of the worker the job went to, or 0 if no worker runs now (the job
	 * waits for the next)
	 */
	public synchronized long dispatch(String statusBlock) {
		if (this.process == null || this.input == null) {
			return 0;
		}
		try {
			this.input.write(statusBlock + "\n");
			this.input.flush();
			return this.process.pid();
		}
		catch (IOException ex) {
			// The worker is dying; its successor gets the job.
			return 0;
		}
	}

	/**
	 * Kills the worker if it still is the given process, for example because it is stuck
	 * on a job; it is then restarted like a worker that died.
	 * @param pid the worker's pid
	 */
	public synchronized void kill(long pid) {
		if (this.process != null && this.process.pid() == pid) {
			logger.warn("Killing worker process " + pid);
			this.process.destroyForcibly();
		}
	}

	/**
	 * Returns what the supervisor knows of its worker now.
	 * @return the state
	 */
	public synchronized WorkerState state() {
		return new WorkerState((this.process != null) ? this.process.pid() : null, this.restartCount, this.lastExitCode,
				command());
	}

	/**
	 * Stops the worker: closes its input, so that it finishes its job and exits, and
	 * kills it if it takes longer than {@code sample.worker.stop-timeout}.
	 */
	@Override
	public void stop() {
		Process stopping;
		synchronized (this) {
			this.running = false;
			if (this.restarts != null) {
				this.restarts.shutdownNow();
			}
			stopping = this.process;
			closeInput();
		}
		if (stopping != null) {
			awaitExit(stopping);
		}
	}

	private void closeInput() {
		if (this.input != null) {
			try {
				this.input.close();
			}
			catch (IOException ex) {
				// Closed already because the worker died: it stops all the same.
			}
		}
	}

	private void awaitExit(Process stopping) {
		try {
			if (!stopping.waitFor(this.properties.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
				logger.warn("Worker process " + stopping.pid() + " did not stop within "
						+ this.properties.stopTimeout().toMillis() + " ms (sample.worker.stop-timeout); killing it");
				stopping.destroyForcibly().waitFor();
			}
			logger.info("Worker process " + stopping.pid() + " stopped");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stopping.destroyForcibly();
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private List<String> command() {
		List<String> command = new ArrayList<>(this.properties.command());
		command.add((this.script != null) ? this.script.path().toString() : WorkerScript.BUNDLED);
		return command;
	}

}
