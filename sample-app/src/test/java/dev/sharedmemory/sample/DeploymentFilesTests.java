package dev.sharedmemory.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks the deployment files of {@code deploy/} that the README offers for copying: they
 * parse, and they hold what sharing {@code /dev/shm} between the application and its
 * worker needs. Structure only: no Kubernetes schema validator nor Docker engine is at
 * hand in the build.
 */
class DeploymentFilesTests {

	private static final Path DEPLOY = Path.of("deploy");

	private static final Pattern USER = Pattern.compile("(?m)^USER (\\d+):(\\d+)$");

	@Test
	void composeSharesTheApplicationsShmWithTheWorker() throws IOException {
		Map<String, Object> services = map(load(DEPLOY.resolve("compose.yaml")).get(0), "services");
		Map<String, Object> app = map(services, "app");
		Map<String, Object> worker = map(services, "worker");
		assertThat(app).containsEntry("shm_size", "256m").containsEntry("ipc", "shareable");
		assertThat(worker).containsEntry("ipc", "service:app");
		assertThat(list(app, "command")).contains("--sample.worker.enabled=false",
				"--management.health.sharedmemory.threshold=32MB");
		assertThat(list(worker, "command")).containsExactly("--poll", "http://app:8080");
		for (Map<String, Object> service : List.of(app, worker)) {
			Path dockerfile = DEPLOY.resolve("../..").resolve((String) map(service, "build").get("dockerfile"));
			assertThat(dockerfile).isRegularFile();
		}
	}

	@Test
	void kubernetesSharesAMemoryEmptyDirAtDevShmAndGatesReadinessOnIt() throws IOException {
		List<Object> documents = load(DEPLOY.resolve("kubernetes/sample-app.yaml"));
		assertThat(documents).extracting((document) -> (Object) ((Map<?, ?>) document).get("kind"))
			.containsExactly("Deployment", "Service");
		Map<String, Object> pod = map(map(map(documents.get(0), "spec"), "template"), "spec");
		assertThat(map(pod, "securityContext")).containsEntry("runAsUser", 10001).containsEntry("runAsGroup", 10001);

		List<Map<String, Object>> volumes = maps(pod, "volumes");
		assertThat(volumes).hasSize(1);
		Map<String, Object> emptyDir = map(volumes.get(0), "emptyDir");
		assertThat(emptyDir).containsEntry("medium", "Memory");
		DataSize sizeLimit = kubernetesSize((String) emptyDir.get("sizeLimit"));

		List<Map<String, Object>> containers = maps(pod, "containers");
		assertThat(containers).extracting((container) -> container.get("name")).containsExactly("app", "worker");
		for (Map<String, Object> container : containers) {
			assertThat(maps(container, "volumeMounts")).as("mounts of %s", container.get("name"))
				.containsExactly(Map.of("name", volumes.get(0).get("name"), "mountPath", "/dev/shm"));
		}

		Map<String, Object> app = containers.get(0);
		List<Object> args = list(app, "args");
		assertThat(args).contains("--management.endpoint.health.group.readiness.include=readinessState,sharedMemory");
		String threshold = args.stream()
			.map(String::valueOf)
			.filter((arg) -> arg.startsWith("--management.health.sharedmemory.threshold="))
			.findFirst()
			.orElseThrow();
		assertThat(DataSize.parse(threshold.substring(threshold.indexOf('=') + 1))).isGreaterThan(DataSize.ofBytes(0))
			.isLessThan(sizeLimit);
		// The tmpfs pages are charged to the application's container: its limit holds all
		// of them and a JVM besides.
		DataSize memoryLimit = kubernetesSize((String) map(map(app, "resources"), "limits").get("memory"));
		assertThat(memoryLimit.toBytes())
			.isGreaterThanOrEqualTo(sizeLimit.toBytes() + DataSize.ofMegabytes(256).toBytes());
		// Readiness, not liveness: a full /dev/shm stops traffic, it does not restart the
		// pod.
		assertThat(map(map(app, "readinessProbe"), "httpGet")).containsEntry("path", "/actuator/health/readiness");
		assertThat(map(map(app, "livenessProbe"), "httpGet")).containsEntry("path", "/actuator/health/liveness");
		assertThat(args).noneMatch((arg) -> String.valueOf(arg).contains("group.liveness"));
	}

	@Test
	void bothImagesRunAsTheSameUserAndCopyFilesThatExist() throws IOException {
		String app = Files.readString(DEPLOY.resolve("app.Dockerfile"));
		String worker = Files.readString(DEPLOY.resolve("worker.Dockerfile"));
		Matcher appUser = USER.matcher(app);
		Matcher workerUser = USER.matcher(worker);
		assertThat(appUser.find()).as("USER in app.Dockerfile").isTrue();
		assertThat(workerUser.find()).as("USER in worker.Dockerfile").isTrue();
		assertThat(workerUser.group()).isEqualTo(appUser.group()).isNotEqualTo("USER 0:0");
		assertThat(worker).contains("COPY sample-app/python/worker.py ");
		assertThat(DEPLOY.resolve("../python/worker.py")).isRegularFile();
		assertThat(app).contains("COPY sample-app/target/shared-memory-sample-app-*.jar ");
	}

	private static List<Object> load(Path file) throws IOException {
		List<Object> documents = new ArrayList<>();
		try (Reader reader = Files.newBufferedReader(file)) {
			new Yaml().loadAll(reader).forEach(documents::add);
		}
		return documents;
	}

	/**
	 * Parses a Kubernetes quantity of memory in binary units ({@code 256Mi},
	 * {@code 1Gi}).
	 */
	private static DataSize kubernetesSize(String quantity) {
		assertThat(quantity).matches("\\d+[KMG]i");
		return DataSize.parse(quantity.substring(0, quantity.length() - 1) + "B");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		return (Map<String, Object>) parent.get(key);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object document, String key) {
		return map((Map<String, Object>) document, key);
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Map<String, Object> parent, String key) {
		assertThat(parent).containsKey(key);
		return (List<Object>) parent.get(key);
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> maps(Map<String, Object> parent, String key) {
		return (List<Map<String, Object>>) (List<?>) list(parent, key);
	}

}
