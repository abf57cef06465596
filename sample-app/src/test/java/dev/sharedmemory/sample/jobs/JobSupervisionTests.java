package dev.sharedmemory.sample.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sharedmemory.sample.worker.WorkerSupervisor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker that dies or hangs in the middle of a job fails that job, not the service: the
 * job is marked failed with the reason, the worker is restarted, and the next job is
 * done. The worker here is {@code flaky_worker.py}, which dies on a job of one reading
 * and hangs on a job of two.
 */
@SpringBootTest(properties = { "sample.worker.script=src/test/python/flaky_worker.py", "sample.jobs.timeout=2s",
		"sample.worker.restart-delay=100ms" })
@DirtiesContext
class JobSupervisionTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@Autowired
	private JobService jobs;

	@Autowired
	private WorkerSupervisor supervisor;

	private final List<JobView> submitted = new ArrayList<>();

	@AfterEach
	void deleteJobs() {
		for (JobView job : this.submitted) {
			this.jobs.delete(Long.toString(job.id()));
			assertThat(Path.of("/dev/shm", job.dataBlock())).doesNotExist();
			assertThat(Path.of("/dev/shm", job.statusBlock())).doesNotExist();
		}
	}

	@Test
	void aJobWhoseWorkerDiesFailsAndTheRestartedWorkerTakesTheNext() {
		long pid = awaitWorker();
		JobView failed = awaitFinal(submit(1.0));
		assertThat(failed.status()).isEqualTo("failed");
		assertThat(failed.workerPid()).isEqualTo(pid);
		assertThat(failed.error()).isEqualTo("worker process " + pid + " died while running the job");
		assertThat(failed.results()).isNull();

		long restarted = awaitWorker();
		assertThat(restarted).isNotEqualTo(pid);
		assertThat(this.supervisor.state().lastExitCode()).isEqualTo(3);
		JobView done = awaitFinal(submit(1.0, 2.0, 6.0));
		assertThat(done.status()).isEqualTo("done");
		assertThat(done.workerPid()).isEqualTo(restarted);
		assertThat(done.results().mean()).isEqualTo(3.0);
	}

	@Test
	void aJobThatRunsPastTheTimeoutFailsAndItsWorkerIsReplaced() {
		long pid = awaitWorker();
		JobView failed = awaitFinal(submit(1.0, 2.0));
		assertThat(failed.status()).isEqualTo("failed");
		assertThat(failed.error())
			.isEqualTo("no result after 2000 ms (sample.jobs.timeout); worker process " + pid + " was stopped");
		await().atMost(PATIENCE)
			.until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), (alive) -> !alive);

		long restarted = awaitWorker();
		assertThat(restarted).isNotEqualTo(pid);
		JobView done = awaitFinal(submit(4.0, 4.0, 4.0));
		assertThat(done.status()).isEqualTo("done");
		assertThat(done.results().stddev()).isZero();
	}

	@Test
	void aJobSubmittedWhileNoWorkerRunsWaitsForTheNextOne() {
		long pid = awaitWorker();
		JobView dying = submit(1.0);
		// Submitted right behind the job that kills the worker: it reaches that worker,
		// or none, never a live one.
		JobView waiting = submit(5.0, 7.0, 9.0);
		assertThat(awaitFinal(dying).status()).isEqualTo("failed");
		JobView done = awaitFinal(waiting);
		assertThat(done.status()).isEqualTo("done");
		assertThat(done.workerPid()).isNotEqualTo(pid);
		assertThat(done.results().max()).isEqualTo(9.0);
	}

	private JobView submit(double... readings) {
		JobView job = this.jobs.submit(readings);
		this.submitted.add(job);
		return job;
	}

	private JobView awaitFinal(JobView job) {
		return await().atMost(PATIENCE)
			.until(() -> this.jobs.get(Long.toString(job.id())),
					(view) -> view.status().equals("done") || view.status().equals("failed"));
	}

	private long awaitWorker() {
		return await().atMost(PATIENCE).until(() -> this.supervisor.state().pid(), (pid) -> pid != null);
	}

}
