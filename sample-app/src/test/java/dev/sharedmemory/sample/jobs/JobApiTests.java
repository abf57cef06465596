package dev.sharedmemory.sample.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job API with the application's own worker turned off, as for people who run the
 * worker themselves: jobs wait as pending until {@code worker.py --poll} takes them, and
 * the limits are enforced.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.worker.enabled=false", "sample.jobs.max-jobs=2", "sample.jobs.max-readings=10" })
@AutoConfigureMockMvc
@DirtiesContext
class JobApiTests {

	@Autowired
	private MockMvcTester mvc;

	@Autowired
	private JobService jobs;

	@LocalServerPort
	private int port;

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
	void jobsWaitAsPendingUntilAWorkerPollsForThem() throws Exception {
		MvcTestResult created = submit("{\"readings\": [3, 1, 2]}");
		assertThat(created).hasStatus(HttpStatus.CREATED).hasHeader("Location", "/jobs/" + this.submitted.get(0).id());
		assertThat(created).bodyJson().extractingPath("$.status").isEqualTo("pending");
		assertThat(this.mvc.get().uri("/jobs?status=pending")).hasStatusOk()
			.bodyJson()
			.extractingPath("$[*].statusBlock")
			.asArray()
			.containsExactly(this.submitted.get(0).statusBlock());

		Process worker = new ProcessBuilder("python3", "python/worker.py", "--poll", "http://localhost:" + this.port,
				"--interval", "0.1")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			JobView done = await().atMost(Duration.ofSeconds(30))
				.until(() -> this.jobs.get(Long.toString(this.submitted.get(0).id())),
						(job) -> job.status().equals("done"));
			assertThat(done.workerPid()).isEqualTo(worker.pid());
			assertThat(done.results()).isEqualTo(new JobResults(2.0, 1.0, 3.0, Math.sqrt(2.0 / 3), 2.9));
		}
		finally {
			worker.destroy();
		}
		assertThat(this.mvc.get().uri("/jobs?status=pending")).hasStatusOk().bodyJson().isEqualTo("[]");
	}

	@Test
	void aBatchAboveTheLimitIsRefused() {
		MvcTestResult refused = this.mvc.post()
			.uri("/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"readings\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}")
			.exchange();
		assertThat(refused).hasStatus(HttpStatus.CONTENT_TOO_LARGE).hasContentType(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(refused).bodyJson()
			.isLenientlyEqualTo("{\"title\": \"Batch too large\", \"status\": 413, \"count\": 11, \"limit\": 10, "
					+ "\"detail\": \"The batch has 11 readings, more than the limit of 10 (sample.jobs.max-readings)\"}");
		assertThat(this.jobs.list(null)).isEmpty();
	}

	@Test
	void jobsBeyondTheLimitAreRefusedUntilOneIsDeleted() {
		submit("{\"readings\": [1]}");
		submit("{\"readings\": [2]}");
		MvcTestResult refused = this.mvc.post()
			.uri("/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"readings\": [3]}")
			.exchange();
		assertThat(refused).hasStatus(HttpStatus.TOO_MANY_REQUESTS)
			.hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
			.bodyJson()
			.extractingPath("$.detail")
			.isEqualTo(
					"The service holds 2 jobs already, its limit (sample.jobs.max-jobs): delete finished jobs first");

		JobView deleted = this.submitted.remove(0);
		assertThat(this.mvc.delete().uri("/jobs/" + deleted.id())).hasStatus(HttpStatus.NO_CONTENT);
		assertThat(submit("{\"readings\": [3]}")).hasStatus(HttpStatus.CREATED);
	}

	@Test
	void healthHasNoWorkerWhenTheApplicationRunsNone() {
		assertThat(this.mvc.get().uri("/actuator/health")).hasStatusOk()
			.bodyJson()
			.extractingPath("$.components")
			.asMap()
			.containsKey("sharedMemory")
			.doesNotContainKey("worker");
	}

	private MvcTestResult submit(String body) {
		MvcTestResult result = this.mvc.post()
			.uri("/jobs")
			.contentType(MediaType.APPLICATION_JSON)
			.content(body)
			.exchange();
		if (result.getResponse().getStatus() == HttpStatus.CREATED.value()) {
			this.submitted.add(this.jobs.list(null).get(this.jobs.list(null).size() - 1));
		}
		return result;
	}

}
