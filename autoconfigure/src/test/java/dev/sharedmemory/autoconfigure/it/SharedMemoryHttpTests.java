package dev.sharedmemory.autoconfigure.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.reliability.DeadOwner;
import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.Order;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests the endpoint, the health indicator and the metrics through real HTTP requests to
 * a running application.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,sharedmemory,metrics,prometheus",
				"management.endpoint.health.show-details=always", "shared-memory.metrics.per-block=true",
				"shared-memory.metrics.per-block-refresh=50ms" })
@AutoConfigureMetrics
@DirtiesContext
class SharedMemoryHttpTests {

	// The application's one manager, under its bean name, in the endpoint's answer.
	private static final String MANAGER = "$.managers.sharedMemoryManager";

	@TempDir
	static Path root;

	static Path directory;

	static Path sentinel;

	@DynamicPropertySource
	static void sharedMemoryDirectory(DynamicPropertyRegistry registry) throws IOException {
		// A file beside the directory: what a name that escaped it would reach.
		directory = Files.createDirectory(root.resolve("shm"));
		sentinel = Files.createFile(root.resolve("sentinel"));
		registry.add("shared-memory.directory", directory::toString);
	}

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SharedMemoryManager manager;

	@AfterEach
	void unlinkEveryBlock() {
		this.manager.blocks().forEach((block) -> this.manager.unlink(block.name()));
	}

	@Test
	void listsTheBlocksAndTheDirectory() throws Exception {
		SharedMemory first = this.manager.sharedMemory(1000);
		SharedMemory second = this.manager.sharedMemory(24);
		HttpResponse<String> response = get("/actuator/sharedmemory");
		assertThat(response.statusCode()).isEqualTo(200);
		String body = response.body();
		assertThat(json(body, MANAGER + ".count", Integer.class)).isEqualTo(2);
		assertThat(json(body, MANAGER + ".totalBytes", Long.class)).isEqualTo(1024);
		assertThat(json(body, MANAGER + ".directory.path", String.class))
			.isEqualTo(directory.toAbsolutePath().toString());
		assertThat(json(body, MANAGER + ".directory.totalBytes", Long.class)).isPositive();
		assertThat(json(body, MANAGER + ".directory.usableBytes", Long.class)).isPositive();
		assertThat(json(body, MANAGER + ".blocks[*].name", List.class)).containsExactly(first.name(), second.name());
		assertThat(json(body, MANAGER + ".blocks[0].size", Long.class)).isEqualTo(1000);
		assertThat(json(body, MANAGER + ".blocks[0].kind", String.class)).isEqualTo("SharedMemory");
		assertThat(json(body, MANAGER + ".blocks[0].createdAt", String.class)).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
		assertThat(json(body, MANAGER + ".blocks[0]", Map.class)).doesNotContainKeys("length", "format", "dtype",
				"shape", "order");
	}

	@Test
	void describesOneBlock() throws Exception {
		SharedMemory block = this.manager.sharedMemory(4096);
		HttpResponse<String> response = get("/actuator/sharedmemory/" + block.name());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(json(response.body(), "$.name", String.class)).isEqualTo(block.name());
		assertThat(json(response.body(), "$.size", Long.class)).isEqualTo(4096);
		assertThat(json(response.body(), "$.kind", String.class)).isEqualTo("SharedMemory");
	}

	@Test
	void describesAShareableListWithItsLengthAndFormat() throws Exception {
		ShareableList list = this.manager.shareableList(Arrays.asList("howdy", 42L, 3.5, true, null));
		String body = get("/actuator/sharedmemory/" + list.shm().name()).body();
		assertThat(json(body, "$.kind", String.class)).isEqualTo("ShareableList");
		assertThat(json(body, "$.size", Long.class)).isEqualTo(list.shm().size());
		assertThat(json(body, "$.length", Integer.class)).isEqualTo(5);
		// As CPython 3.11 gives it for ShareableList(['howdy', 42, 3.5, True,
		// None]).format.
		assertThat(json(body, "$.format", String.class)).isEqualTo("8sqdxxxxxxx?xxxxxx?x");
		assertThat(json(get("/actuator/sharedmemory").body(), MANAGER + ".blocks[0].kind", String.class))
			.isEqualTo("ShareableList");
		assertThat(metric("shared.memory.size")).isEqualTo(list.shm().size());
		assertThat(delete("/actuator/sharedmemory/" + list.shm().name()).statusCode()).isEqualTo(204);
		assertThat(directory.resolve(list.shm().name())).doesNotExist();
	}

	@Test
	void describesAnNDArrayWithItsDtypeShapeAndOrder() throws Exception {
		NDArray array = this.manager.ndarray(DType.FLOAT64, Order.C, 3, 4);
		String body = get("/actuator/sharedmemory/" + array.shm().name()).body();
		assertThat(json(body, "$.kind", String.class)).isEqualTo("NDArray");
		assertThat(json(body, "$.size", Long.class)).isEqualTo(128 + 3 * 4 * 8);
		assertThat(json(body, "$.dtype", String.class)).isEqualTo(DType.FLOAT64.descr());
		assertThat(json(body, "$.shape", List.class)).containsExactly(3, 4);
		assertThat(json(body, "$.order", String.class)).isEqualTo("C");
		assertThat(json(body, "$", Map.class)).doesNotContainKeys("length", "format");
		assertThat(json(get("/actuator/sharedmemory").body(), MANAGER + ".blocks[0].kind", String.class))
			.isEqualTo("NDArray");
	}

	@Test
	void unknownBlockIsNotFound() throws Exception {
		assertThat(get("/actuator/sharedmemory/psm_00000000").statusCode()).isEqualTo(404);
		assertThat(delete("/actuator/sharedmemory/psm_00000000").statusCode()).isEqualTo(404);
	}

	@Test
	void deleteUnlinksATrackedBlock() throws Exception {
		SharedMemory block = this.manager.sharedMemory(64);
		assertThat(directory.resolve(block.name())).exists();
		assertThat(delete("/actuator/sharedmemory/" + block.name()).statusCode()).isEqualTo(204);
		assertThat(directory.resolve(block.name())).doesNotExist();
		assertThat(this.manager.block(block.name())).isEmpty();
		assertThat(get("/actuator/sharedmemory/" + block.name()).statusCode()).isEqualTo(404);
		assertThat(delete("/actuator/sharedmemory/" + block.name()).statusCode()).isEqualTo(404);
	}

	@Test
	void deleteNeverUnlinksABlockTheApplicationDidNotCreate() throws Exception {
		try (SharedMemory outsider = this.manager.directory().create("outsider", 64)) {
			assertThat(get("/actuator/sharedmemory/outsider").statusCode()).isEqualTo(404);
			assertThat(delete("/actuator/sharedmemory/outsider").statusCode()).isEqualTo(404);
			assertThat(directory.resolve("outsider")).exists();
		}
		finally {
			this.manager.directory().unlink("outsider");
		}
	}

	@Test
	void censusListsEveryEntryOfTheDirectoryWithTotalsFirst() throws Exception {
		SharedMemory own = this.manager.sharedMemory(4096);
		List<String> orphans = DeadOwner.leaveBlocks(directory, "census-orphan-", 8192);
		String hostile = "evil\n\u001b[31mred\u001b[0m";
		Files.writeString(directory.resolve(hostile), "x");
		try {
			HttpResponse<String> response = get("/actuator/sharedmemory?scope=directory");
			assertThat(response.statusCode()).isEqualTo(200);
			String body = response.body();
			// Escaped by JSON: no control character reaches a terminal or a log that
			// shows the body.
			assertThat(body.chars()).noneMatch((c) -> c < 0x20);
			String census = "$.directories['" + directory.toAbsolutePath() + "']";
			assertThat(json(body, census, Map.class).keySet()).startsWith("takenAt", "totals");
			assertThat(json(body, census + ".totals.application.count", Integer.class)).isOne();
			assertThat(json(body, census + ".totals.application.bytes", Long.class)).isEqualTo(4096);
			assertThat(json(body, census + ".totals.application.allocatedBytes", Long.class)).isEqualTo(4096);
			assertThat(json(body, census + ".totals.orphaned.count", Integer.class)).isOne();
			assertThat(json(body, census + ".totals.unmanaged.count", Integer.class)).isOne();
			assertThat(json(body, census + ".entries[?(@.category == 'application')].name", List.class))
				.containsExactly(own.name());
			assertThat(json(body, census + ".entries[?(@.category == 'orphaned')].manager.pid", List.class))
				.containsExactly((int) DeadOwner.PID);
			assertThat(json(body, census + ".entries[?(@.category == 'unmanaged')].name", List.class))
				.containsExactly(hostile);
			assertThat(json(body, census + ".entries[?(@.category == 'bookkeeping')].name", List.class)).hasSize(3);
			assertThat(get("/actuator/sharedmemory?scope=everything").statusCode()).isEqualTo(400);
		}
		finally {
			Files.delete(directory.resolve(hostile));
			this.manager.reclaimOrphans();
		}
	}

	@Test
	void postReclaimsOrphansNowAndAnswersWhatItUnlinked() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(directory, "post-orphan-", 4096, 100);
		try (SharedMemory outsider = this.manager.directory().create("post-outsider", 64)) {
			HttpResponse<String> response = post("/actuator/sharedmemory");
			assertThat(response.statusCode()).isEqualTo(200);
			String reclaimed = "$.directories['" + directory.toAbsolutePath() + "']";
			assertThat(json(response.body(), reclaimed + ".blocks[*].name", List.class))
				.containsExactlyInAnyOrderElementsOf(orphans);
			assertThat(json(response.body(), reclaimed + ".records", Integer.class)).isOne();
			orphans.forEach((name) -> assertThat(directory.resolve(name)).doesNotExist());
			assertThat(directory.resolve("post-outsider")).exists();
			assertThat(json(post("/actuator/sharedmemory").body(), reclaimed + ".blocks", List.class)).isEmpty();
		}
		finally {
			this.manager.directory().unlink("post-outsider");
		}
	}

	@Test
	void deleteNeverUnlinksAnOrphanNorAnotherManagersBlock() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(directory, "delete-orphan-", 64);
		SharedMemoryManager other = SharedMemoryManager.builder()
			.directory(this.manager.directory())
			.reclaimOrphans(false)
			.build();
		other.start();
		try {
			SharedMemory theirs = other.sharedMemory(64);
			assertThat(delete("/actuator/sharedmemory/" + orphans.get(0)).statusCode()).isEqualTo(404);
			assertThat(delete("/actuator/sharedmemory/" + theirs.name()).statusCode()).isEqualTo(404);
			assertThat(directory.resolve(orphans.get(0))).exists();
			assertThat(directory.resolve(theirs.name())).exists();
		}
		finally {
			other.shutdown();
			this.manager.reclaimOrphans();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "..", "%2E%2E", ".", "%2E", "..;", "..%2Fsentinel", "%2E%2E%2Fsentinel", "a%2Fb",
			"%2Fetc%2Fpasswd", "%00", "a%00b", "%2E%2E%00", "%20..", "%252E%252E%252Fsentinel" })
	void hostileNamesNeverReachTheFileSystem(String name) throws Exception {
		SharedMemory block = this.manager.sharedMemory(64);
		try (SharedMemory outsider = this.manager.directory().create("outsider", 64)) {
			assertThat(delete("/actuator/sharedmemory/" + name).statusCode()).isIn(400, 404);
			assertThat(get("/actuator/sharedmemory/" + name).statusCode()).isIn(400, 404);
			assertThat(directory.resolve("outsider")).exists();
			assertThat(directory.resolve(block.name())).exists();
			assertThat(sentinel).exists();
			assertThat(this.manager.blockCount()).isOne();
		}
		finally {
			this.manager.directory().unlink("outsider");
		}
	}

	@Test
	void namesLongerThanTheSystemAllowsAreABadRequest() throws Exception {
		String name = "x".repeat(300);
		assertThat(get("/actuator/sharedmemory/" + name).statusCode()).isEqualTo(400);
		assertThat(delete("/actuator/sharedmemory/" + name).statusCode()).isEqualTo(400);
	}

	@Test
	void healthIsUpWithDetails() throws Exception {
		this.manager.sharedMemory(1000);
		HttpResponse<String> response = get("/actuator/health/sharedMemory");
		assertThat(response.statusCode()).isEqualTo(200);
		String body = response.body();
		assertThat(json(body, "$.status", String.class)).isEqualTo("UP");
		assertThat(json(body, "$.details.directory", String.class)).isEqualTo(directory.toString());
		assertThat(json(body, "$.details.exists", Boolean.class)).isTrue();
		assertThat(json(body, "$.details.writable", Boolean.class)).isTrue();
		assertThat(json(body, "$.details.total", Long.class)).isPositive();
		assertThat(json(body, "$.details.usable", Long.class)).isPositive();
		assertThat(json(body, "$.details.threshold", Long.class)).isEqualTo(10L * 1024 * 1024);
		assertThat(json(body, "$.details.blocks", Integer.class)).isOne();
		assertThat(json(body, "$.details.bytes", Long.class)).isEqualTo(1000);
		assertThat(json(get("/actuator/health").body(), "$.components.sharedMemory.status", String.class))
			.isEqualTo("UP");
	}

	@Test
	void healthIsDownWhileTheDirectoryIsMissing() throws Exception {
		Path away = Files.move(directory, root.resolve("away"));
		try {
			HttpResponse<String> response = get("/actuator/health/sharedMemory");
			assertThat(response.statusCode()).isEqualTo(503);
			assertThat(json(response.body(), "$.status", String.class)).isEqualTo("DOWN");
			assertThat(json(response.body(), "$.details.exists", Boolean.class)).isFalse();
			assertThat(get("/actuator/health").statusCode()).isEqualTo(503);
		}
		finally {
			Files.move(away, directory);
		}
		assertThat(get("/actuator/health/sharedMemory").statusCode()).isEqualTo(200);
	}

	@Test
	void metricsFollowCreateAndUnlink() throws Exception {
		double created = metric("shared.memory.operations", "operation:create", "outcome:success");
		double unlinked = metric("shared.memory.operations", "operation:unlink", "outcome:success");
		assertThat(metric("shared.memory.blocks")).isZero();
		assertThat(metric("shared.memory.size")).isZero();
		SharedMemory block = this.manager.sharedMemory(4096);
		assertThat(metric("shared.memory.blocks")).isOne();
		assertThat(metric("shared.memory.size")).isEqualTo(4096);
		assertThat(metric("shared.memory.operations", "operation:create", "outcome:success")).isEqualTo(created + 1);
		assertThat(delete("/actuator/sharedmemory/" + block.name()).statusCode()).isEqualTo(204);
		assertThat(metric("shared.memory.blocks")).isZero();
		assertThat(metric("shared.memory.size")).isZero();
		assertThat(metric("shared.memory.operations", "operation:unlink", "outcome:success")).isEqualTo(unlinked + 1);
		assertThat(metric("disk.total", "path:" + directory)).isPositive();
		assertThat(metric("disk.free", "path:" + directory)).isPositive();
		String sizeMetric = get("/actuator/metrics/shared.memory.size").body();
		assertThat(json(sizeMetric, "$.baseUnit", String.class)).isEqualTo("bytes");
		assertThat(json(sizeMetric, "$.availableTags[*].tag", List.class)).containsExactly("manager");
		assertThat(json(sizeMetric, "$.availableTags[0].values", List.class)).containsExactly("sharedMemoryManager");
	}

	@Test
	void metricsAreScrapedByPrometheus() throws Exception {
		this.manager.sharedMemory(2048);
		HttpResponse<String> response = get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body().lines())
			.contains("shared_memory_blocks{manager=\"sharedMemoryManager\"} 1.0",
					"shared_memory_size_bytes{manager=\"sharedMemoryManager\"} 2048.0")
			.anySatisfy((line) -> assertThat(line).startsWith("shared_memory_operations_total{"
					+ "manager=\"sharedMemoryManager\",operation=\"create\",outcome=\"success\"} "))
			.anySatisfy((line) -> assertThat(line).startsWith("disk_total_bytes{path=\"" + directory + "\"} "))
			.anySatisfy((line) -> assertThat(line).startsWith("disk_free_bytes{path=\"" + directory + "\"} "));
	}

	@Test
	void perBlockGaugesComeAndGoWhenTurnedOn() throws Exception {
		SharedMemory block = this.manager.sharedMemory(512);
		String path = "/actuator/metrics/shared.memory.block.size?tag=name:" + block.name();
		await().until(() -> get(path).statusCode() == 200);
		assertThat(json(get(path).body(), "$.measurements[0].value", Double.class)).isEqualTo(512);
		assertThat(delete("/actuator/sharedmemory/" + block.name()).statusCode()).isEqualTo(204);
		await().until(() -> get(path).statusCode() == 404);
	}

	private double metric(String name, String... tags) throws Exception {
		StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
		for (int i = 0; i < tags.length; i++) {
			path.append((i == 0) ? '?' : '&').append("tag=").append(tags[i]);
		}
		HttpResponse<String> response = get(path.toString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json(response.body(), "$.measurements[0].value", Double.class);
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static <T> T json(String body, String path, Class<T> type) {
		return JsonPath.parse(body).read(path, type);
	}

}
