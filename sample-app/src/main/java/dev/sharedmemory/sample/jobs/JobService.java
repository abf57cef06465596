package dev.sharedmemory.sample.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.Order;
import dev.sharedmemory.sample.worker.WorkerSupervisor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Creates, lists and deletes jobs. A job is two blocks created by the injected
 * {@link SharedMemoryManager}: one holding the readings as a {@code float64}
 * {@link NDArray} in numpy's {@code .npy} layout, one {@link ShareableList} describing
 * the job for the worker (see {@link JobSlots}). Once a second it sends pending jobs to
 * the worker if they never reached a live one, and fails running jobs whose worker died
 * or took too long, so that no job waits forever.
 */
@Service
public class JobService {

	private static final Log logger = LogFactory.getLog(JobService.class);

	private final SharedMemoryManager manager;

	private final JobProperties properties;

	private final ObjectProvider<WorkerSupervisor> supervisor;

	private final Map<Long, Job> jobs = new ConcurrentSkipListMap<>();

	private final AtomicLong ids = new AtomicLong();

	/**
	 * Creates the service.
	 * @param manager creates the blocks, and unlinks them all when the application stops
	 * @param properties the service's limits
	 * @param supervisor the supervisor of the worker, absent if the application does not
	 * run one
	 */
	public JobService(SharedMemoryManager manager, JobProperties properties,
			ObjectProvider<WorkerSupervisor> supervisor) {
		this.manager = manager;
		this.properties = properties;
		this.supervisor = supervisor;
	}

	/**
	 * Writes the readings into a new block, describes the job in a new list, and hands it
	 * to the worker.
	 * @param readings the readings
	 * @return the new job
	 * @throws JobException if the readings are missing, empty, not finite or too many, or
	 * the service holds as many jobs as it may
	 */
	public JobView submit(double @Nullable [] readings) {
		check(readings);
		Job job = create(readings);
		logger.info("Job " + job.id() + " submitted: " + readings.length + " readings in block '" + job.dataBlock()
				+ "', described by list '" + job.statusBlock() + "'");
		dispatch(job);
		return job.view();
	}

	private void check(double @Nullable [] readings) {
		if (readings == null || readings.length == 0) {
			throw JobException.invalidReadings(
					"No readings: send a JSON object such as {\"readings\": [21.5, 22.0]} with at least one number");
		}
		if (readings.length > this.properties.maxReadings()) {
			throw JobException.tooLarge(readings.length, this.properties.maxReadings());
		}
		for (int i = 0; i < readings.length; i++) {
			if (!Double.isFinite(readings[i])) {
				throw JobException.invalidReadings("readings[" + i + "] is too large to be a finite number");
			}
		}
	}

	private synchronized Job create(double[] readings) {
		if (this.jobs.size() >= this.properties.maxJobs()) {
			throw JobException.tooManyJobs(this.properties.maxJobs());
		}
		long id = this.ids.incrementAndGet();
		// A float64 array in numpy's .npy layout: the block says what it holds, and numpy
		// opens it as it is.
		NDArray array = this.manager.ndarray(DType.FLOAT64, Order.C, readings.length);
		array.copyFrom(0, readings, 0, readings.length);
		SharedMemory data = array.shm();
		try {
			ShareableList slots = this.manager.shareableList(JobSlots.placeholders(id, data.name(), readings.length));
			slots.set(JobSlots.STATUS, JobStatus.PENDING.text());
			slots.set(JobSlots.ERROR, "");
			slots.set(JobSlots.RESULTS_BLOCK, "");
			Job job = new Job(id, data, slots, readings.length, Instant.now());
			this.jobs.put(id, job);
			return job;
		}
		catch (RuntimeException ex) {
			// Nothing half-made stays behind: the data block goes if its list could not
			// be made.
			this.manager.unlink(data.name());
			throw ex;
		}
	}

	/**
	 * Returns the jobs, oldest first.
	 * @param status only jobs with this status, or {@code null} for all
	 * @return the jobs
	 */
	public List<JobView> list(@Nullable JobStatus status) {
		List<JobView> views = new ArrayList<>();
		for (Job job : this.jobs.values()) {
			try {
				JobView view = job.view();
				if (status == null || view.status().equals(status.text())) {
					views.add(view);
				}
			}
			catch (JobException ex) {
				// Deleted meanwhile.
			}
		}
		return views;
	}

	/**
	 * Returns a job.
	 * @param id the job's id, as given
	 * @return the job
	 * @throws JobException if no job has that id
	 */
	public JobView get(String id) {
		return find(id).view();
	}

	/**
	 * Deletes a job and unlinks its blocks, whatever its status; a worker running it
	 * keeps its own mapping and writes its results where nobody reads them.
	 * @param id the job's id, as given
	 * @throws JobException if no job has that id
	 */
	public void delete(String id) {
		Job job = find(id);
		if (this.jobs.remove(job.id(), job)) {
			String resultsBlock = job.resultsBlock();
			job.release();
			this.manager.unlink(job.dataBlock());
			this.manager.unlink(job.statusBlock());
			// The worker's own block, tracked by the manager for it: unlinked with the
			// job, if still tracked.
			if (resultsBlock != null && this.manager.block(resultsBlock).isPresent()) {
				this.manager.unlink(resultsBlock);
			}
			logger.info("Job " + job.id() + " deleted: blocks '" + job.dataBlock() + "' and '" + job.statusBlock() + "'"
					+ ((resultsBlock != null) ? " and its results '" + resultsBlock + "'" : "") + " unlinked");
		}
	}

	private Job find(String id) {
		Job job = null;
		try {
			job = this.jobs.get(Long.parseLong(id));
		}
		catch (NumberFormatException ex) {
			// Not a number, so no job's id.
		}
		if (job == null) {
			throw JobException.notFound(id);
		}
		return job;
	}

	/**
	 * Sends pending jobs that never reached a live worker, and fails running jobs whose
	 * worker died or took longer than {@code sample.jobs.timeout}, killing a worker that
	 * is stuck so that it is restarted.
	 */
	@Scheduled(fixedDelay = 1, timeUnit = TimeUnit.SECONDS)
	void watch() {
		Instant now = Instant.now();
		for (Job job : this.jobs.values()) {
			try {
				if (job.awaitsDispatch(JobService::isAlive)) {
					dispatch(job);
				}
				Job.Stall stall = job.checkProgress(now, this.properties.timeout(), JobService::isAlive);
				if (stall != null) {
					logger.warn("Job " + job.id() + " failed: " + stall.reason());
					if (stall.stopWorker()) {
						this.supervisor.ifAvailable((supervisor) -> supervisor.kill(stall.workerPid()));
					}
				}
			}
			catch (JobException ex) {
				// Deleted meanwhile.
			}
		}
	}

	private void dispatch(Job job) {
		this.supervisor.ifAvailable((supervisor) -> job.dispatchedTo(supervisor.dispatch(job.statusBlock())));
	}

	private static boolean isAlive(long pid) {
		return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
	}

}
