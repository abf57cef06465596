package dev.sharedmemory.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds a whole exchange of a blocking {@link ManagerClient} by closing its connection
 * when time is up: a read blocked on a channel, of TCP or of a Unix socket alike, then
 * fails at once. (The server checks its deadlines on its own loop.) One deadline for the
 * exchange, not per read, so that a peer trickling a byte at a time is cut off too.
 * <p>
 * One sweep every {@link #TICK} closes what is due, and runs only while deadlines are
 * running: a connection costs a set insertion and removal, not a timer task whose
 * scheduling wakes the timer thread (at thousands of connections a second, that wake-up
 * was a context switch per connection). A connection is closed within one tick after its
 * timeout.
 */
final class Deadlines {

	/** How often the running deadlines are checked. */
	static final Duration TICK = Duration.ofMillis(50);

	private static final ScheduledThreadPoolExecutor TIMER = newTimer();

	private static final Set<Deadline> running = ConcurrentHashMap.newKeySet();

	private static final AtomicBoolean sweeping = new AtomicBoolean();

	private Deadlines() {
	}

	/**
	 * Closes a connection after a timeout unless the returned deadline is cancelled
	 * first.
	 * @param connection the connection
	 * @param timeout the time the exchange may take
	 * @return the deadline, to cancel when the exchange is over
	 */
	static Deadline start(Closeable connection, Duration timeout) {
		Deadline deadline = new Deadline(connection, System.nanoTime() + timeout.toNanos());
		running.add(deadline);
		// Added before the flag is read: a sweep that saw no deadline and lowered the
		// flag either sees this one when it looks again, or this call sees the flag down.
		if (sweeping.compareAndSet(false, true)) {
			TIMER.schedule(Deadlines::sweep, TICK.toNanos(), TimeUnit.NANOSECONDS);
		}
		return deadline;
	}

	private static void sweep() {
		long now = System.nanoTime();
		for (Deadline deadline : running) {
			if (now - deadline.dueNanos >= 0 && running.remove(deadline)) {
				deadline.expire();
			}
		}
		if (running.isEmpty()) {
			sweeping.set(false);
			if (running.isEmpty() || !sweeping.compareAndSet(false, true)) {
				return;
			}
		}
		TIMER.schedule(Deadlines::sweep, TICK.toNanos(), TimeUnit.NANOSECONDS);
	}

	private static ScheduledThreadPoolExecutor newTimer() {
		return new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "shared-memory-manager-deadlines");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * A running deadline.
	 */
	static final class Deadline {

		private final Closeable connection;

		private final long dueNanos;

		private volatile boolean expired;

		private Deadline(Closeable connection, long dueNanos) {
			this.connection = connection;
			this.dueNanos = dueNanos;
		}

		/**
		 * Cancels the deadline.
		 */
		void cancel() {
			running.remove(this);
		}

		/**
		 * Tells whether the deadline passed and closed the connection.
		 * @return {@code true} if it expired
		 */
		boolean expired() {
			return this.expired;
		}

		private void expire() {
			this.expired = true;
			try {
				this.connection.close();
			}
			catch (IOException | RuntimeException ex) {
				// Closing is all a deadline does: a connection that fails to close is
				// gone anyway.
			}
		}

	}

}
