package dev.sharedmemory.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Platform threads that only wait, as a web server's idle pool does (Tomcat keeps 200): a
 * cost that grows with the JVM's threads, such as the handshake that closing a shared
 * {@code Arena} makes with each of them, shows against the row without them.
 */
@State(Scope.Benchmark)
public class IdleThreads {

	/** How many idle platform threads the JVM holds during the measurement. */
	@Param({ "0", "200" })
	public int idleThreads;

	private final CountDownLatch release = new CountDownLatch(1);

	private final List<Thread> threads = new ArrayList<>();

	/**
	 * Starts the idle threads.
	 */
	@Setup(Level.Trial)
	public void start() {
		for (int i = 0; i < this.idleThreads; i++) {
			Thread thread = new Thread(this::idle, "idle-" + i);
			thread.setDaemon(true);
			thread.start();
			this.threads.add(thread);
		}
	}

	/**
	 * Lets the idle threads end.
	 * @throws InterruptedException if interrupted while waiting for them
	 */
	@TearDown(Level.Trial)
	public void stop() throws InterruptedException {
		this.release.countDown();
		for (Thread thread : this.threads) {
			thread.join();
		}
	}

	private void idle() {
		try {
			this.release.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
