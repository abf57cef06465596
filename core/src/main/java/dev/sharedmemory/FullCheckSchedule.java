package dev.sharedmemory;

import java.time.Duration;

/**
 * When a {@link DirectoryWatcher} checks every block after its watch service dropped
 * events: once the directory has been quiet for a moment, or a set time after the first
 * drop at the latest, however many drops came in between. A burst of changes that
 * overflows the watch service once (the JDK keeps 512 events a key) overflows it again
 * while a check of every block runs, and one check after the burst sees what a check
 * after each overflow would have. Times are {@link System#nanoTime()} readings.
 */
final class FullCheckSchedule {

	private final long quietNanos;

	private final long latestNanos;

	private boolean pending;

	private long deadline;

	/**
	 * Creates a schedule with no check pending.
	 * @param quiet how long no event may come before a pending check runs
	 * @param latest how long after the first drop a pending check runs, events or not
	 */
	FullCheckSchedule(Duration quiet, Duration latest) {
		this.quietNanos = quiet.toNanos();
		this.latestNanos = latest.toNanos();
	}

	/**
	 * Records that events were dropped: a check of every block is pending, due at the
	 * latest a set time after the first drop since the last check.
	 * @param now the time of the drop
	 */
	void dropped(long now) {
		if (!this.pending) {
			this.pending = true;
			this.deadline = now + this.latestNanos;
		}
	}

	/**
	 * Tells whether a check of every block is pending.
	 */
	boolean isPending() {
		return this.pending;
	}

	/**
	 * Returns how long to wait for the next event before the pending check runs.
	 * @param now the time
	 * @return nanoseconds, at most the quiet time, zero once the deadline has passed
	 */
	long waitNanos(long now) {
		return Math.max(0, Math.min(this.quietNanos, this.deadline - now));
	}

	/**
	 * Tells whether the pending check is to run now, and if so marks it as run.
	 * @param now the time
	 * @param quiet whether no event came in the time {@link #waitNanos} gave
	 * @return {@code true} if every block is to be checked now
	 */
	boolean takeDue(long now, boolean quiet) {
		if (this.pending && (quiet || now - this.deadline >= 0)) {
			this.pending = false;
			return true;
		}
		return false;
	}

}
