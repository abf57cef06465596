package dev.sharedmemory.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The crash the reliability work is about, for real and as containers have it: the
 * packaged application is started as a process of its own ({@code java -jar}), each
 * instance in a pid namespace of its own ({@code unshare --pid --fork --mount-proc}, as
 * root, which CI is), where it is process 1; it creates blocks through its job API, and
 * is killed with {@code SIGKILL}, again and again. After every restart, in a fresh
 * namespace, no block of the dead instance is left (the new instance reclaimed them,
 * logged them and counted them in {@code shared.memory.reclaimed}), and a second
 * instance, running beside them in the same directory and a namespace of its own the
 * whole time, never loses a block. At the end the last instance and the one beside it
 * stop with {@code SIGTERM} and leave the directory empty. Without pid namespaces the
 * test fails and says why.
 * <p>
 * {@code -Dreliability.cycles=N} changes the number of cycles (20 by default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillRestartIT {

	private static final int CYCLES = Integer.getInteger("reliability.cycles", 20);

	private static final Duration STARTUP = Duration.ofMinutes(2);

	private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

	private static final String RECORD_PREFIX = ".psm-owner-";

	private static final String LOCK_PREFIX = ".psm-lock-";

	private static final List<String> NEW_PID_NAMESPACE = List.of("unshare", "--pid", "--fork", "--mount-proc",
			"--kill-child");

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	private final List<Instance> instances = new ArrayList<>();

	private final Random random = new Random(20);

	private Path directory;

	private Path logs;

	@BeforeAll
	void pidNamespacesCanBeCreated() throws Exception {
		List<String> command = new ArrayList<>(NEW_PID_NAMESPACE);
		command.addAll(List.of("sh", "-c", "echo $$"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes()).trim();
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(output)
			.as("Cannot create a pid namespace with %s: this test needs root (CAP_SYS_ADMIN) and "
					+ "util-linux's unshare, as CI has; it does not skip", NEW_PID_NAMESPACE)
			.isEqualTo("1");
	}

	@BeforeAll
	void createDirectory() throws IOException {
		// On /dev/shm, where blocks really live; a directory of its own, so that its
		// listing is exactly the test's.
		this.directory = Files.createTempDirectory(Path.of("/dev/shm"), "sample-kill-restart-");
		Path jar = Path.of(System.getProperty("sample.jar"));
		this.logs = Files.createDirectories(jar.resolveSibling("kill-restart"));
	}

	@AfterAll
	void killEverythingAndRemoveDirectory() throws Exception {
		for (Instance instance : this.instances) {
			instance.process.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
		}
		try (Stream<Path> left = Files.list(this.directory)) {
			for (Path file : left.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(this.directory);
	}

	@Test
	void noBlockOfAKilledInstanceOutlivesTheNextStartAndTheInstanceBesideLosesNone() throws Exception {
		Instance beside = start("beside");
		Map<String, Long> besideBlocks = new LinkedHashMap<>(submitJobs(beside, 2));
		Map<String, Long> orphans = Map.of();
		long orphanedBlocks = 0;
		long orphanedBytes = 0;
		List<Long> startupMillis = new ArrayList<>();
		for (int cycle = 1; cycle <= CYCLES + 1; cycle++) {
			Instance instance = start("cycle-" + cycle);
			startupMillis.add(instance.startupMillis);

			// Every block the killed instance left is gone, reclaimed by this start,
			// which says so and counts them.
			Set<String> blocks = blockFiles();
			assertThat(orphans.keySet()).as("cycle %d: blocks of the killed instance", cycle)
				.noneMatch(blocks::contains);
			assertThat(metric(instance, "shared.memory.reclaimed")).as("cycle %d", cycle).isEqualTo(orphans.size());
			long bytes = orphans.values().stream().mapToLong(Long::longValue).sum();
			assertThat(metric(instance, "shared.memory.reclaimed.size")).as("cycle %d", cycle).isEqualTo(bytes);
			if (!orphans.isEmpty()) {
				assertThat(instance.log())
					.contains("Reclaimed " + orphans.size() + " orphaned shared memory blocks (" + bytes + " bytes)");
			}
			assertThat(recordFiles()).as("cycle %d: records", cycle).hasSize(1);
			assertThat(lockFiles()).as("cycle %d: lock files", cycle).hasSize(1);

			// The instance beside lost nothing, and still serves every block it made.
			assertThat(blockFiles()).as("cycle %d: blocks", cycle).isEqualTo(besideBlocks.keySet());
			assertThat(endpointBlocks(beside)).isEqualTo(besideBlocks.keySet());
			if (cycle % 5 == 0) {
				besideBlocks.putAll(submitJobs(beside, 1));
			}
			if (cycle == CYCLES + 1) {
				// Only the restart of the last killed instance was wanted from this one:
				// it stops cleanly instead.
				stop(instance);
				break;
			}

			orphans = submitJobs(instance, 1 + cycle % 3);
			assertThat(blockFiles()).containsAll(orphans.keySet());
			// SIGKILL from outside its namespace: process 1 of its own, it could not be
			// killed from within.
			ProcessHandle jvm = instance.jvm();
			assertThat(jvm.destroyForcibly()).isTrue();
			assertThat(instance.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
			// Gone. (Its exit status stays with unshare, which, re-raising the signal,
			// reports a failure of its own.)
			assertThat(jvm.isAlive()).isFalse();
			// Killed: its blocks and its record are left, as a crash leaves them.
			assertThat(blockFiles()).containsAll(orphans.keySet());
			assertThat(recordFiles()).hasSize(2);
			assertThat(lockFiles()).hasSize(2);
			orphanedBlocks += orphans.size();
			orphanedBytes += orphans.values().stream().mapToLong(Long::longValue).sum();
		}
		assertThat(blockFiles()).isEqualTo(besideBlocks.keySet());
		stop(beside);
		assertThat(this.directory).isEmptyDirectory();
		startupMillis.sort(Comparator.naturalOrder());
		System.out
			.printf("RELIABILITY kill-restart: %d cycles of start, create, kill -9 survived, each instance in a pid "
					+ "namespace of its own; %d blocks (%d bytes) left by killed instances, all reclaimed at the next start; "
					+ "0 leaked; the instance beside kept all %d of its blocks; median start %d ms%n", CYCLES,
					orphanedBlocks, orphanedBytes, besideBlocks.size(), startupMillis.get(startupMillis.size() / 2));
	}

	private Instance start(String name) throws Exception {
		Path jar = Path.of(System.getProperty("sample.jar"));
		Path log = this.logs.resolve(name + ".log");
		long started = System.nanoTime();
		// Flags for a quick start on a small machine: it is started CYCLES + 2 times. No
		// perf data: every instance is process 1 of its namespace, and would want the
		// same /tmp/hsperfdata_<user>/1.
		List<String> command = new ArrayList<>(NEW_PID_NAMESPACE);
		command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-Xmx256m", "-XX:-UsePerfData", "-jar",
				jar.toString(), "--server.port=0", "--sample.worker.enabled=false", "--spring.main.banner-mode=off",
				"--shared-memory.directory=" + this.directory,
				// Python's clients create their blocks in /dev/shm itself: no manager
				// server over a directory of its own.
				"--shared-memory.server.enabled=false"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		Instance instance = new Instance(process, log);
		this.instances.add(instance);
		int port = await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(instance::port, (p) -> p > 0);
		instance.startupMillis = (System.nanoTime() - started) / 1_000_000;
		instance.base = URI.create("http://localhost:" + port);
		return instance;
	}

	private void stop(Instance instance) throws Exception {
		// SIGTERM: Spring's shutdown hook unlinks the instance's blocks and removes its
		// record. The JVM handles it, so it reaches process 1 of a namespace from
		// outside.
		assertThat(instance.jvm().destroy()).isTrue();
		assertThat(instance.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(instance.process.exitValue()).as(instance.log()).isEqualTo(128 + 15);
	}

	/**
	 * Submits jobs, each of which creates two blocks, and returns those blocks with their
	 * sizes.
	 */
	private Map<String, Long> submitJobs(Instance instance, int jobs) throws Exception {
		Map<String, Long> blocks = new LinkedHashMap<>();
		for (int i = 0; i < jobs; i++) {
			String readings = DoubleStream.generate(this.random::nextGaussian)
				.limit(1 + this.random.nextInt(2000))
				.mapToObj(Double::toString)
				.collect(Collectors.joining(",", "{\"readings\":[", "]}"));
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(instance.base.resolve("/jobs"))
				.header("Content-Type", "application/json")
				.POST(BodyPublishers.ofString(readings))
				.build(), BodyHandlers.ofString());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
			JsonNode job = this.json.readTree(response.body());
			for (String block : List.of(job.path("dataBlock").asString(), job.path("statusBlock").asString())) {
				blocks.put(block, Files.size(this.directory.resolve(block)));
			}
		}
		return blocks;
	}

	private double metric(Instance instance, String name) throws Exception {
		return get(instance, "/actuator/metrics/" + name).path("measurements").path(0).path("value").asDouble();
	}

	private Set<String> endpointBlocks(Instance instance) throws Exception {
		Set<String> names = new HashSet<>();
		JsonNode manager = get(instance, "/actuator/sharedmemory").path("managers").path("sharedMemoryManager");
		for (JsonNode block : manager.path("blocks")) {
			names.add(block.path("name").asString());
		}
		return names;
	}

	private JsonNode get(Instance instance, String path) throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(instance.base.resolve(path)).build(),
				BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private Set<String> blockFiles() throws IOException {
		return files().stream()
			.filter((name) -> !name.startsWith(RECORD_PREFIX) && !name.startsWith(LOCK_PREFIX))
			.collect(Collectors.toSet());
	}

	private Set<String> recordFiles() throws IOException {
		return files().stream().filter((name) -> name.startsWith(RECORD_PREFIX)).collect(Collectors.toSet());
	}

	private Set<String> lockFiles() throws IOException {
		return files().stream().filter((name) -> name.startsWith(LOCK_PREFIX)).collect(Collectors.toSet());
	}

	private Set<String> files() throws IOException {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.map((file) -> file.getFileName().toString()).collect(Collectors.toSet());
		}
	}

	/**
	 * One running application.
	 */
	private static final class Instance {

		final Process process;

		final Path log;

		URI base;

		long startupMillis;

		Instance(Process process, Path log) {
			this.process = process;
			this.log = log;
		}

		/**
		 * Returns the application's JVM: the child that {@code unshare} forked into the
		 * new namespace.
		 */
		ProcessHandle jvm() {
			return this.process.toHandle().children().findFirst().orElseThrow();
		}

		int port() throws IOException {
			assertThat(this.process.isAlive()).as("application running (see %s)", this.log).isTrue();
			Matcher matcher = PORT.matcher(log());
			return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
		}

		String log() throws IOException {
			return Files.readString(this.log);
		}

	}

}
