package dev.sharedmemory.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds a whole exchange on a connection by closing it when time is up: a read blocked
 * on a channel, of TCP or of a Unix socket alike, then fails at once. One deadline for
 * the exchange, not per read, so that a peer trickling a byte at a time is cut off too.
 */
final class Deadlines {

	private static final ScheduledThreadPoolExecutor TIMER = newTimer();

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
		AtomicBoolean expired = new AtomicBoolean();
		ScheduledFuture<?> closing = TIMER.schedule(() -> {
			expired.set(true);
			try {
				connection.close();
			}
			catch (IOException ex) {
				// Closing is all a deadline does: a connection that fails to close is
				// gone anyway.
			}
		}, timeout.toNanos(), TimeUnit.NANOSECONDS);
		return new Deadline(closing, expired);
	}

	private static ScheduledThreadPoolExecutor newTimer() {
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "shared-memory-manager-deadlines");
			thread.setDaemon(true);
			return thread;
		});
		timer.setRemoveOnCancelPolicy(true);
		return timer;
	}

	/**
	 * A running deadline.
	 */
	static final class Deadline {

		private final ScheduledFuture<?> closing;

		private final AtomicBoolean expired;

		private Deadline(ScheduledFuture<?> closing, AtomicBoolean expired) {
			this.closing = closing;
			this.expired = expired;
		}

		/**
		 * Cancels the deadline.
		 */
		void cancel() {
			this.closing.cancel(false);
		}

		/**
		 * Tells whether the deadline passed and closed the connection.
		 * @return {@code true} if it expired
		 */
		boolean expired() {
			return this.expired.get();
		}

	}

}
