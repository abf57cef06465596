package dev.sharedmemory.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Runs the packaged application as a user does, {@code java -jar}, in a process of its
 * own with its real Python worker, and drives it over HTTP only: a job goes through
 * shared memory to the worker and back, the blocks show in Actuator and in the metrics,
 * bad requests are refused, and SIGTERM leaves no block behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleApplicationIT {

	private static final Path SHM = Path.of("/dev/shm");

	// The readings' dtype as their .npy header gives it: float64 in this machine's byte
	// order.
	private static final String FLOAT64 = (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) ? "<f8" : ">f8";

	private static final int MAX_READINGS = 50_000;

	private static final Duration STARTUP = Duration.ofMinutes(2);

	private static final Duration JOB = Duration.ofMinutes(1);

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	// Every block the application was seen to create, to check that none is left and to
	// clean up if a test failed.
	private final Set<String> blocksSeen = new LinkedHashSet<>();

	private Process app;

	private Path log;

	private URI base;

	@BeforeAll
	void startApplication() throws IOException {
		Path jar = Path.of(System.getProperty("sample.jar"));
		assertThat(jar).as("the packaged application").isRegularFile();
		this.log = jar.resolveSibling("sample-app-it.log");
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		this.app = new ProcessBuilder(java.toString(), "-jar", jar.toString(), "--server.port=0",
				"--sample.jobs.max-readings=" + MAX_READINGS)
			.redirectErrorStream(true)
			.redirectOutput(this.log.toFile())
			.start();
		int port = await().atMost(STARTUP).until(this::port, (found) -> found > 0);
		this.base = URI.create("http://localhost:" + port);
		// Health answers 503 from the moment the port is open until the application is
		// live
		// and ready, a window that a loaded machine makes long: wait for UP, whatever
		// came
		// before it.
		await().atMost(STARTUP)
			.until(() -> this.json.readTree(get("/actuator/health", BodyHandlers.ofString()).body())
				.path("status")
				.asString(), "UP"::equals);
	}

	private int port() throws IOException {
		assertThat(this.app.isAlive()).as("application running (see %s)", this.log).isTrue();
		Matcher matcher = PORT.matcher(Files.readString(this.log));
		return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
	}

	@AfterAll
	void cleanUp() throws IOException {
		if (this.app != null && this.app.isAlive()) {
			this.app.destroyForcibly();
		}
		for (String block : this.blocksSeen) {
			Files.deleteIfExists(SHM.resolve(block));
		}
	}

	@Test
	@Order(1)
	void healthShowsSharedMemoryAndTheWorkerTheApplicationStarted() throws Exception {
		JsonNode health = get("/actuator/health");
		assertThat(health.path("components").path("sharedMemory").path("status").asString()).isEqualTo("UP");
		JsonNode worker = health.path("components").path("worker");
		assertThat(worker.path("status").asString()).isEqualTo("UP");
		assertThat(ProcessHandle.of(worker.path("details").path("pid").asLong()).flatMap(ProcessHandle::parent))
			.map(ProcessHandle::pid)
			.contains(this.app.pid());
	}

	@Test
	@Order(2)
	void theWorkerComputesTheStatisticsOfReadingsSharedAsRawDoubles() throws Exception {
		double[] readings = readings(20_000, 42);
		HttpResponse<String> response = post("/jobs", body(readings));
		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode job = this.json.readTree(response.body());
		String location = response.headers().firstValue("Location").orElseThrow();
		assertThat(location).isEqualTo("/jobs/" + job.path("id").asLong());
		String dataBlock = job.path("dataBlock").asString();
		String statusBlock = job.path("statusBlock").asString();
		this.blocksSeen.add(dataBlock);
		this.blocksSeen.add(statusBlock);
		assertThat(job.path("count").asInt()).isEqualTo(readings.length);

		// The readings are in shared memory as np.save writes a float64 array: a .npy
		// header that says so, padded to 64 bytes, then 8 bytes each, native order,
		// nothing else.
		byte[] raw = Files.readAllBytes(SHM.resolve(dataBlock));
		ByteBuffer npy = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
		assertThat(Arrays.copyOf(raw, 8)).isEqualTo(new byte[] { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0 });
		int dataOffset = 10 + Short.toUnsignedInt(npy.getShort(8));
		assertThat(dataOffset % 64).isZero();
		assertThat(new String(raw, 10, dataOffset - 10, StandardCharsets.ISO_8859_1)).matches(Pattern
			.quote("{'descr': '" + FLOAT64 + "', 'fortran_order': False, 'shape': (" + readings.length + ",), }")
				+ " +\n");
		assertThat(raw).hasSize(dataOffset + 8 * readings.length);
		double[] shared = new double[readings.length];
		npy.position(dataOffset).slice().order(ByteOrder.nativeOrder()).asDoubleBuffer().get(shared);
		assertThat(shared).containsExactly(readings);

		JsonNode done = awaitStatus(location, "done");
		Statistics expected = Statistics.of(readings);
		JsonNode results = done.path("results");
		assertThat(results.path("mean").asDouble()).isCloseTo(expected.mean(), within(1e-9));
		assertThat(results.path("min").asDouble()).isEqualTo(expected.min());
		assertThat(results.path("max").asDouble()).isEqualTo(expected.max());
		assertThat(results.path("stddev").asDouble()).isCloseTo(expected.stddev(), within(1e-9));
		assertThat(results.path("p95").asDouble()).isCloseTo(expected.p95(), within(1e-9));
		assertThat(done.path("error").isNull()).isTrue();
		assertThat(done.path("workerPid").asLong()).isEqualTo(workerPid());
		// The worker shared the results itself, through the application's manager.
		String resultsBlock = done.path("resultsBlock").asString();
		this.blocksSeen.add(resultsBlock);
		assertThat(resultsBlock).startsWith("psm_");
		assertThat(SHM.resolve(resultsBlock)).exists();
	}

	@Test
	@Order(3)
	void actuatorListsTheJobsBlocksAndTheMetricsCountThem() throws Exception {
		JsonNode job = get("/jobs/1");
		JsonNode endpoint = sharedMemory();
		List<String> names = new ArrayList<>();
		long total = 0;
		for (JsonNode block : endpoint.path("blocks")) {
			names.add(block.path("name").asString());
			total += block.path("size").asLong();
		}
		String resultsBlock = job.path("resultsBlock").asString();
		assertThat(names).containsExactly(job.path("dataBlock").asString(), job.path("statusBlock").asString(),
				resultsBlock);
		assertThat(endpoint.path("count").asInt()).isEqualTo(3);
		assertThat(endpoint.path("totalBytes").asLong()).isEqualTo(total);
		JsonNode data = get("/actuator/sharedmemory/" + job.path("dataBlock").asString());
		assertThat(data.path("size").asLong()).isEqualTo(128 + 8L * job.path("count").asInt());
		assertThat(data.path("kind").asString()).isEqualTo("NDArray");
		assertThat(data.path("dtype").asString()).isEqualTo(FLOAT64);
		assertThat(data.path("shape").path(0).asInt()).isEqualTo(job.path("count").asInt());
		assertThat(data.path("order").asString()).isEqualTo("C");
		JsonNode list = get("/actuator/sharedmemory/" + job.path("statusBlock").asString());
		assertThat(list.path("kind").asString()).isEqualTo("ShareableList");
		assertThat(Files.size(SHM.resolve(job.path("statusBlock").asString()))).isEqualTo(list.path("size").asLong());
		assertThat(data.hasNonNull("origin")).isFalse();
		// Created by the Python worker through the manager server: where it came from is
		// its address.
		JsonNode results = get("/actuator/sharedmemory/" + resultsBlock);
		assertThat(results.path("origin").asString()).startsWith("127.0.0.1:");
		assertThat(results.path("size").asLong()).isEqualTo(Files.size(SHM.resolve(resultsBlock)));
		assertThat(metric("shared.memory.server.requests?tag=method:track_segment&tag=outcome:returned")).isEqualTo(1);
		assertThat(get("/actuator/health").path("components")
			.path("sharedMemory")
			.path("details")
			.path("server")
			.path("listening")
			.asBoolean()).isTrue();

		assertThat(metric("shared.memory.blocks")).isEqualTo(3);
		assertThat(metric("shared.memory.size")).isEqualTo(total);
		assertThat(metric("shared.memory.operations?tag=operation:create&tag=outcome:success")).isEqualTo(2);
		String prometheus = getText("/actuator/prometheus");
		assertThat(prometheusValue(prometheus, "shared_memory_blocks")).isEqualTo(3);
		assertThat(prometheusValue(prometheus, "shared_memory_size_bytes")).isEqualTo(total);
	}

	@Test
	@Order(4)
	void badRequestsAreRefusedInProblemDetailsFormAndCreateNoBlock() throws Exception {
		assertProblem(post("/jobs", "{\"readings\": []}"), 400, "No readings");
		assertProblem(post("/jobs", "{}"), 400, "No readings");
		assertProblem(post("/jobs", "{\"readings\": [1.5, \"abc\", 3]}"), 400, "readings[1] is not a number");
		assertProblem(post("/jobs", "{\"readings\": [1.5, \"2.5\"]}"), 400, "readings[1] is not a number");
		assertProblem(post("/jobs", "{\"readings\": [1.5, null]}"), 400, "readings[1] is not a number");
		assertProblem(post("/jobs", "{\"readings\": [1e999]}"), 400, "readings[0] is too large");
		assertProblem(post("/jobs", "{\"readings\": [1.5,"), 400, "not valid JSON");
		assertProblem(post("/jobs", body(readings(MAX_READINGS + 1, 1))), 413,
				"The batch has 50001 readings, more than the limit of 50000 (sample.jobs.max-readings)");
		assertProblem(get("/jobs/999", BodyHandlers.ofString()), 404, "No job with id '999'");
		assertProblem(get("/jobs/abc", BodyHandlers.ofString()), 404, "No job with id 'abc'");
		assertProblem(delete("/jobs/999"), 404, "No job with id '999'");
		assertProblem(get("/jobs?status=sleeping", BodyHandlers.ofString()), 400, "Unknown job status 'sleeping'");
		assertThat(sharedMemory().path("count").asInt()).isEqualTo(3);
	}

	@Test
	@Order(5)
	void aDeletedJobsBlocksAreUnlinked() throws Exception {
		HttpResponse<String> response = post("/jobs", body(readings(1000, 7)));
		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode job = this.json.readTree(response.body());
		String location = response.headers().firstValue("Location").orElseThrow();
		List<String> blocks = new ArrayList<>(
				List.of(job.path("dataBlock").asString(), job.path("statusBlock").asString()));
		assertThat(blocks).allSatisfy((block) -> assertThat(SHM.resolve(block)).exists());
		blocks.add(awaitStatus(location, "done").path("resultsBlock").asString());
		this.blocksSeen.addAll(blocks);

		assertThat(delete(location).statusCode()).isEqualTo(204);
		assertThat(blocks).allSatisfy((block) -> assertThat(SHM.resolve(block)).doesNotExist());
		assertThat(get(location, BodyHandlers.ofString()).statusCode()).isEqualTo(404);
		assertThat(sharedMemory().path("count").asInt()).isEqualTo(3);
		assertThat(metric("shared.memory.blocks")).isEqualTo(3);
	}

	@Test
	@Order(6)
	void aWorkerThatDiesIsRestartedAndTakesTheNextJob() throws Exception {
		long killed = workerPid();
		assertThat(ProcessHandle.of(killed).orElseThrow().destroyForcibly()).isTrue();
		long restarted = await().atMost(JOB).until(this::workerPid, (pid) -> pid != 0 && pid != killed);
		double[] readings = readings(5000, 3);
		HttpResponse<String> response = post("/jobs", body(readings));
		JsonNode job = this.json.readTree(response.body());
		this.blocksSeen.add(job.path("dataBlock").asString());
		this.blocksSeen.add(job.path("statusBlock").asString());
		JsonNode done = awaitStatus(response.headers().firstValue("Location").orElseThrow(), "done");
		this.blocksSeen.add(done.path("resultsBlock").asString());
		assertThat(done.path("workerPid").asLong()).isEqualTo(restarted);
		assertThat(done.path("results").path("mean").asDouble()).isCloseTo(Statistics.of(readings).mean(),
				within(1e-9));
		JsonNode worker = health().path("components").path("worker").path("details");
		assertThat(worker.path("restarts").asInt()).isEqualTo(1);
		assertThat(worker.path("lastExitCode").asInt()).isEqualTo(137);
	}

	@Test
	@Order(7)
	void sigtermStopsTheApplicationAndItsWorkerAndUnlinksEveryBlock() throws Exception {
		for (JsonNode block : sharedMemory().path("blocks")) {
			this.blocksSeen.add(block.path("name").asString());
		}
		// Three jobs left, of three blocks each: the readings, the job's list and the
		// worker's results.
		assertThat(this.blocksSeen).hasSize(9).allSatisfy((block) -> assertThat(block).startsWith("psm_"));
		long worker = workerPid();

		this.app.destroy();
		assertThat(this.app.waitFor(JOB.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();

		// The JVM answers SIGTERM by running its shutdown hooks, Spring Boot's among
		// them, then exits with 128 + 15.
		assertThat(this.app.exitValue()).isEqualTo(143);
		assertThat(this.blocksSeen).allSatisfy((block) -> assertThat(SHM.resolve(block)).doesNotExist());
		await().atMost(JOB)
			.until(() -> ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false), (alive) -> !alive);
		String output = Files.readString(this.log);
		assertThat(output).contains("Worker process " + worker + " stopped");
		assertThat(output.lines().filter((line) -> line.contains(" ERROR ") || line.contains("Exception")))
			.as("errors in %s", this.log)
			.isEmpty();
	}

	private JsonNode awaitStatus(String location, String status) {
		return await().atMost(JOB).until(() -> get(location), (job) -> {
			assertThat(job.path("status").asString()).as("job %s", job).isIn("pending", "running", status);
			return job.path("status").asString().equals(status);
		});
	}

	private long workerPid() throws Exception {
		return health().path("components").path("worker").path("details").path("pid").asLong();
	}

	private JsonNode health() throws Exception {
		// 503 while a component is down, such as the worker while it is restarted.
		HttpResponse<String> response = get("/actuator/health", BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
		return this.json.readTree(response.body());
	}

	private double metric(String name) throws Exception {
		return get("/actuator/metrics/" + name).path("measurements").get(0).path("value").asDouble();
	}

	// The application's one manager, under its bean name.
	private JsonNode sharedMemory() throws Exception {
		return get("/actuator/sharedmemory").path("managers").path("sharedMemoryManager");
	}

	private static double prometheusValue(String scrape, String name) {
		Matcher matcher = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(scrape);
		assertThat(matcher.find()).as("%s in the scrape", name).isTrue();
		return Double.parseDouble(matcher.group(1));
	}

	private void assertProblem(HttpResponse<String> response, int status, String detail) throws Exception {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.path("status").asInt()).isEqualTo(status);
		assertThat(problem.path("title").asString()).isNotBlank();
		assertThat(problem.path("detail").asString()).contains(detail);
		// Nothing of the implementation leaks: no exception, no Java or Jackson type, no
		// stack trace.
		assertThat(response.body()).doesNotContainIgnoringCase("exception")
			.doesNotContain("java.", "jackson", "\tat ", "trace");
	}

	private static double[] readings(int count, long seed) {
		// Temperatures around 21.5 degrees, like a sensor's.
		Random random = new Random(seed);
		return DoubleStream.generate(() -> 21.5 + random.nextGaussian() * 3).limit(count).toArray();
	}

	private static String body(double[] readings) {
		return DoubleStream.of(readings)
			.mapToObj(Double::toString)
			.collect(Collectors.joining(", ", "{\"readings\": [", "]}"));
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = get(path, BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private String getText(String path) throws Exception {
		HttpResponse<String> response = get(path, BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
		return response.body();
	}

	private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> handler) throws Exception {
		return this.http.send(HttpRequest.newBuilder(this.base.resolve(path)).GET().build(), handler);
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return this.http.send(HttpRequest.newBuilder(this.base.resolve(path))
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofString(body))
			.build(), BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(this.base.resolve(path)).DELETE().build(),
				BodyHandlers.ofString());
	}

}
