package dev.sharedmemory.sample.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongPredicate;

import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import org.jspecify.annotations.Nullable;

/**
 * One job: its two blocks, and what the application knows of it beyond them. The list is
 * the truth about the job's progress, since the worker writes there; the application
 * keeps only when it sent the job where and when it first saw it running. Every access to
 * the blocks holds the job's lock, so that a delete never closes them under a reader.
 */
final class Job {

	private final long id;

	private final SharedMemory data;

	private final ShareableList slots;

	private final int count;

	private final Instant submittedAt;

	private long dispatchedTo;

	private @Nullable Instant runningSince;

	private boolean released;

	Job(long id, SharedMemory data, ShareableList slots, int count, Instant submittedAt) {
		this.id = id;
		this.data = data;
		this.slots = slots;
		this.count = count;
		this.submittedAt = submittedAt;
	}

	long id() {
		return this.id;
	}

	String dataBlock() {
		return this.data.name();
	}

	String statusBlock() {
		return this.slots.shm().name();
	}

	synchronized JobStatus status() {
		checkNotReleased();
		return JobStatus.of(text(JobSlots.STATUS));
	}

	synchronized JobView view() {
		checkNotReleased();
		JobStatus status = status();
		long pid = number(JobSlots.WORKER_PID).longValue();
		JobResults results = (status != JobStatus.DONE) ? null
				: new JobResults(number(JobSlots.MEAN).doubleValue(), number(JobSlots.MIN).doubleValue(),
						number(JobSlots.MAX).doubleValue(), number(JobSlots.STDDEV).doubleValue(),
						number(JobSlots.P95).doubleValue());
		String error = (status != JobStatus.FAILED) ? null : text(JobSlots.ERROR);
		return new JobView(this.id, status.text(), this.count, this.submittedAt, dataBlock(), statusBlock(),
				(pid != 0) ? pid : null, results, error, resultsBlockOrNull());
	}

	/**
	 * Returns the name of the results list the worker created through the application's
	 * manager.
	 * @return the name, or {@code null} if the worker created none
	 */
	synchronized @Nullable String resultsBlock() {
		return this.released ? null : resultsBlockOrNull();
	}

	private @Nullable String resultsBlockOrNull() {
		String name = text(JobSlots.RESULTS_BLOCK).strip();
		return name.isEmpty() ? null : name;
	}

	/**
	 * Tells whether the job waits for a worker that will never see it: it was sent to
	 * none, or to one that died.
	 * @param alive tells whether a pid is a live process
	 * @return {@code true} if the job should be sent to the worker
	 */
	synchronized boolean awaitsDispatch(LongPredicate alive) {
		return !this.released && status() == JobStatus.PENDING
				&& (this.dispatchedTo == 0 || !alive.test(this.dispatchedTo));
	}

	synchronized void dispatchedTo(long pid) {
		this.dispatchedTo = pid;
	}

	/**
	 * Fails the job if it is running on a worker that died, or for longer than the
	 * timeout.
	 * @param now the time now
	 * @param timeout how long a job may run
	 * @param alive tells whether a pid is a live process
	 * @return the failure, or {@code null} if the job is fine
	 */
	synchronized @Nullable Stall checkProgress(Instant now, Duration timeout, LongPredicate alive) {
		if (this.released || status() != JobStatus.RUNNING) {
			return null;
		}
		if (this.runningSince == null) {
			this.runningSince = now;
		}
		long pid = number(JobSlots.WORKER_PID).longValue();
		if (!alive.test(pid)) {
			return fail(pid, false, "worker process " + pid + " died while running the job");
		}
		if (Duration.between(this.runningSince, now).compareTo(timeout) > 0) {
			return fail(pid, true, "no result after " + timeout.toMillis()
					+ " ms (sample.jobs.timeout); worker process " + pid + " was stopped");
		}
		return null;
	}

	private Stall fail(long pid, boolean stopWorker, String reason) {
		// The error first and the status last, the order the worker writes in too.
		this.slots.set(JobSlots.ERROR, JobSlots.fitError(reason));
		this.slots.set(JobSlots.STATUS, JobStatus.FAILED.text());
		return new Stall(pid, stopWorker, reason);
	}

	/**
	 * Marks the job deleted; from then on it refuses every access to its blocks, which
	 * its caller then unlinks.
	 */
	synchronized void release() {
		this.released = true;
	}

	private void checkNotReleased() {
		if (this.released) {
			throw JobException.notFound(Long.toString(this.id));
		}
	}

	private String text(int slot) {
		return (String) this.slots.get(slot);
	}

	private Number number(int slot) {
		return (Number) this.slots.get(slot);
	}

	/**
	 * Why the application gave up a running job.
	 *
	 * @param workerPid the worker that ran it
	 * @param stopWorker whether that worker is stuck and must be stopped
	 * @param reason what was written in the job's error slot
	 */
	record Stall(long workerPid, boolean stopWorker, String reason) {

	}

}
