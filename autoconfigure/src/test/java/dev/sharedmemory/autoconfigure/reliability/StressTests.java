package dev.sharedmemory.autoconfigure.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryNotFoundException;
import dev.sharedmemory.autoconfigure.it.SharedMemoryTestApplication;
import dev.sharedmemory.ownership.OwnerRecord;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads create, attach, write and unlink blocks and lists through the
 * application's one manager while others list, read and delete blocks through the
 * Actuator endpoint over real HTTP and scrape the metrics. Afterwards: no unexpected
 * exception anywhere, and the manager's view, the directory, the owner record, the
 * endpoint and the metrics agree exactly with what the threads did; once the application
 * stops, nothing is left.
 */
@SpringBootTest(classes = SharedMemoryTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,sharedmemory,metrics,prometheus",
				"management.endpoint.health.show-details=always", "shared-memory.metrics.per-block=true",
				"shared-memory.metrics.per-block-refresh=20ms" })
@AutoConfigureMetrics
@DirtiesContext
class StressTests {

	// The application's one manager, under its bean name, in the endpoint's answer.
	private static final String MANAGER = "$.managers.sharedMemoryManager";

	static final int WORKERS = 8;

	static final int OPERATIONS_PER_WORKER = 500;

	static final int HTTP_CLIENTS = 3;

	// Workers wait at every tenth operation until the clients have served four more
	// requests: so the two sides really interleave, however much faster in-process calls
	// are than HTTP round trips.
	static final int CHECKPOINT = 10;

	static final int REQUESTS_PER_CHECKPOINT = 4;

	private final AtomicLong requestsServed = new AtomicLong();

	private static Path directory;

	@DynamicPropertySource
	static void sharedMemoryDirectory(DynamicPropertyRegistry registry) throws IOException {
		// On the real tmpfs, in a directory of its own, so that its listing is exactly
		// this test's blocks.
		directory = Files.createTempDirectory(Path.of("/dev/shm"), "shared-memory-stress-");
		registry.add("shared-memory.directory", directory::toString);
	}

	@AfterAll
	static void removeDirectory() throws IOException {
		try (Stream<Path> left = Files.list(directory)) {
			for (Path file : left.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(directory);
	}

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SharedMemoryManager manager;

	@Autowired
	private MeterRegistry registry;

	@Test
	void threadsThroughTheManagerTheEndpointAndTheMetricsAgreeExactly() throws Exception {
		warmUp();
		ExecutorService executor = Executors.newFixedThreadPool(WORKERS + HTTP_CLIENTS + 2);
		AtomicBoolean working = new AtomicBoolean(true);
		// Blocks a worker hands over for the HTTP clients to delete: each is deleted
		// exactly once, over HTTP.
		BlockingQueue<String> handedOver = new LinkedBlockingQueue<>();
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Tally>> workers = new ArrayList<>();
			for (int i = 0; i < WORKERS; i++) {
				int worker = i;
				workers.add(executor.submit(started(start, () -> work(worker, handedOver))));
			}
			List<Future<Tally>> clients = new ArrayList<>();
			for (int i = 0; i < HTTP_CLIENTS; i++) {
				int client = i;
				clients.add(executor.submit(started(start, () -> browse(client, handedOver, working))));
			}
			Future<Integer> scraper = executor.submit(started(start, () -> scrape(working)));
			start.countDown();
			Tally total = new Tally();
			for (Future<Tally> worker : workers) {
				total.add(worker.get(5, TimeUnit.MINUTES));
			}
			working.set(false);
			for (Future<Tally> client : clients) {
				total.add(client.get(5, TimeUnit.MINUTES));
			}
			int scrapes = scraper.get(5, TimeUnit.MINUTES);
			// Whatever the clients had not deleted yet is still the manager's.
			for (String name : handedOver) {
				total.remaining.put(name, this.manager.block(name).orElseThrow().size());
			}

			assertThat(total.httpDeletes).isPositive();
			assertThat(scrapes).isPositive();
			Map<String, Long> tracked = this.manager.blocks()
				.stream()
				.collect(Collectors.toMap(ManagedBlock::name, ManagedBlock::size));
			assertThat(tracked).isEqualTo(total.remaining);
			assertThat(blockFiles()).isEqualTo(total.remaining.keySet());
			assertThat(recordedBlocks()).isEqualTo(total.remaining.keySet());
			long bytes = total.remaining.values().stream().mapToLong(Long::longValue).sum();
			String endpoint = get("/actuator/sharedmemory").body();
			assertThat(JsonPath.parse(endpoint).read(MANAGER + ".count", Integer.class))
				.isEqualTo(total.remaining.size());
			assertThat(JsonPath.parse(endpoint).read(MANAGER + ".totalBytes", Long.class)).isEqualTo(bytes);
			assertThat(this.registry.get("shared.memory.blocks").gauge().value()).isEqualTo(total.remaining.size());
			assertThat(this.registry.get("shared.memory.size").gauge().value()).isEqualTo(bytes);
			assertThat(operations("create", "success")).isEqualTo(total.creates);
			assertThat(operations("create", "failure")).isEqualTo(total.badCreates);
			assertThat(operations("unlink", "success")).isEqualTo(total.unlinks + total.httpDeletes);
			// A DELETE of a name the manager does not track counts as a failed unlink, as
			// the manager's own does; so does the warm-up's.
			assertThat(operations("unlink", "failure")).isEqualTo(total.unknownUnlinks + total.httpUnknownDeletes + 1);
			assertThat(operations("attach", "success")).isEqualTo(total.attaches);
			assertThat(operations("attach", "failure")).isEqualTo(total.missingAttaches);
			assertThat(operations("close", "success")).isEqualTo(total.unlinks + total.httpDeletes);
			assertThat(this.registry.get("shared.memory.reclaimed").functionCounter().count()).isZero();
			System.out.printf("RELIABILITY stress: %d manager threads x %d operations + %d HTTP clients (%d requests, "
					+ "%d deletes) + 1 scraper (%d scrapes): %d operations; %d blocks created, %d left tracked, "
					+ "0 leaked%n", WORKERS, OPERATIONS_PER_WORKER, HTTP_CLIENTS, total.httpRequests, total.httpDeletes,
					scrapes, total.operations() + scrapes, total.creates, total.remaining.size());
		}
		finally {
			working.set(false);
			executor.shutdownNow();
		}
		// Shutting the manager down is what closing the application does to it: every
		// block unlinked, the record gone. (Stopping the context leaves the manager
		// alone.)
		this.manager.shutdown();
		try {
			assertThat(directory).isEmptyDirectory();
		}
		finally {
			this.manager.start();
		}
	}

	/**
	 * Serves each kind of request once, so that the clients do not spend the workers' run
	 * waiting for the first responses.
	 */
	private void warmUp() throws Exception {
		for (String path : List.of("/actuator/sharedmemory", "/actuator/sharedmemory/none", "/actuator/prometheus",
				"/actuator/metrics/shared.memory.blocks", "/actuator/health/sharedMemory")) {
			assertThat(get(path).statusCode()).isIn(200, 404);
		}
		assertThat(delete("/actuator/sharedmemory/none").statusCode()).isEqualTo(404);
	}

	private static <T> Callable<T> started(CountDownLatch start, Callable<T> task) {
		return () -> {
			start.await();
			return task.call();
		};
	}

	/**
	 * One worker's share: a seeded mix of operations on blocks of its own, so that the
	 * outcome of each is known.
	 */
	private Tally work(int worker, BlockingQueue<String> handedOver) throws Exception {
		Random random = new Random(2000 + worker);
		Tally tally = new Tally();
		List<SharedMemory> own = new ArrayList<>();
		for (int i = 0; i < OPERATIONS_PER_WORKER; i++) {
			if (i % CHECKPOINT == 0) {
				long needed = (long) (i / CHECKPOINT) * REQUESTS_PER_CHECKPOINT;
				while (this.requestsServed.get() < needed) {
					Thread.sleep(1);
				}
			}
			int choice = random.nextInt(100);
			if (choice < 30 || (choice < 60 && own.isEmpty())) {
				SharedMemory block = this.manager.sharedMemory(8 + random.nextInt(8185));
				block.buf().putInt(0, worker).putInt(block.buf().capacity() - 4, i);
				own.add(block);
				tally.creates++;
			}
			else if (choice < 40) {
				// Left open: the manager closes it when it unlinks it, and counts that
				// close.
				ShareableList list = this.manager.shareableList(List.of((long) worker, "w" + i, 1.5, true));
				assertThat(list.getString(1)).isEqualTo("w" + i);
				tally.creates++;
				if (random.nextBoolean()) {
					handedOver.add(list.shm().name());
				}
				else {
					assertThat(this.manager.unlink(list.shm().name())).isTrue();
					assertThat(list.shm().isClosed()).isTrue();
					tally.unlinks++;
				}
			}
			else if (choice < 60) {
				SharedMemory block = own.remove(random.nextInt(own.size()));
				assertThat(this.manager.unlink(block.name())).isTrue();
				assertThat(block.isClosed()).isTrue();
				tally.unlinks++;
			}
			else if (choice < 70) {
				assertThat(this.manager.unlink("never-created-" + worker + "-" + i)).isFalse();
				tally.unknownUnlinks++;
			}
			else if (choice < 75) {
				try {
					this.manager.sharedMemory(0);
					throw new AssertionError("a block of 0 bytes was created");
				}
				catch (IllegalArgumentException expected) {
					tally.badCreates++;
				}
			}
			else if (!own.isEmpty()) {
				SharedMemory block = own.get(random.nextInt(own.size()));
				try (SharedMemory attached = this.manager.attach(block.name())) {
					assertThat(attached.buf().getInt(0)).isEqualTo(worker);
					attached.buf().putInt(4, i);
					assertThat(block.buf().getInt(4)).isEqualTo(i);
				}
				tally.attaches++;
			}
			else {
				try {
					this.manager.attach("never-created-" + worker + "-" + i).close();
					throw new AssertionError("attached to a block never created");
				}
				catch (SharedMemoryNotFoundException expected) {
					tally.missingAttaches++;
				}
			}
		}
		for (SharedMemory block : own) {
			tally.remaining.put(block.name(), block.size());
		}
		return tally;
	}

	/**
	 * One HTTP client: lists, reads one listed block, deletes blocks handed over and asks
	 * for unknown ones.
	 */
	private Tally browse(int client, BlockingQueue<String> handedOver, AtomicBoolean working) throws Exception {
		Random random = new Random(3000 + client);
		Tally tally = new Tally();
		while (working.get() || tally.httpRequests == 0) {
			HttpResponse<String> list = get("/actuator/sharedmemory");
			assertThat(list.statusCode()).isEqualTo(200);
			List<String> names = JsonPath.parse(list.body()).read(MANAGER + ".blocks[*].name");
			tally.httpRequests++;
			if (!names.isEmpty()) {
				String name = names.get(random.nextInt(names.size()));
				// Listed a moment ago; a worker may have unlinked it since.
				assertThat(get("/actuator/sharedmemory/" + name).statusCode()).isIn(200, 404);
				tally.httpRequests++;
			}
			String deletable = handedOver.poll();
			if (deletable != null) {
				assertThat(delete("/actuator/sharedmemory/" + deletable).statusCode()).isEqualTo(204);
				tally.httpRequests++;
				tally.httpDeletes++;
			}
			assertThat(delete("/actuator/sharedmemory/never-created-" + random.nextInt()).statusCode()).isEqualTo(404);
			tally.httpRequests++;
			tally.httpUnknownDeletes++;
		}
		return tally;
	}

	private int scrape(AtomicBoolean working) throws Exception {
		int scrapes = 0;
		while (working.get() || scrapes == 0) {
			HttpResponse<String> prometheus = get("/actuator/prometheus");
			assertThat(prometheus.statusCode()).isEqualTo(200);
			assertThat(prometheus.body()).contains("shared_memory_blocks{manager=\"sharedMemoryManager\"} ",
					"shared_memory_reclaimed_blocks_total{manager=\"sharedMemoryManager\"} ");
			HttpResponse<String> blocks = get("/actuator/metrics/shared.memory.blocks");
			assertThat(blocks.statusCode()).isEqualTo(200);
			assertThat(JsonPath.parse(blocks.body()).read("$.measurements[0].value", Double.class))
				.isGreaterThanOrEqualTo(0);
			assertThat(get("/actuator/health/sharedMemory").statusCode()).isEqualTo(200);
			scrapes++;
		}
		return scrapes;
	}

	private double operations(String operation, String outcome) {
		return this.registry.get("shared.memory.operations")
			.tag("operation", operation)
			.tag("outcome", outcome)
			.functionCounter()
			.count();
	}

	private Set<String> blockFiles() throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> !OwnerRecord.isOwnerFile(name))
				.collect(Collectors.toSet());
		}
	}

	/**
	 * Reads the manager's owner record as a process reclaiming it would: the blocks added
	 * and not removed since.
	 */
	private Set<String> recordedBlocks() throws IOException {
		List<Path> records;
		try (Stream<Path> files = Files.list(directory)) {
			records = files.filter((file) -> file.getFileName().toString().startsWith(OwnerRecord.FILE_PREFIX))
				.toList();
		}
		assertThat(records).hasSize(1);
		Set<String> blocks = new HashSet<>();
		for (String line : Files.readAllLines(records.get(0))) {
			if (line.startsWith("+ ")) {
				blocks.add(line.split(" ")[1]);
			}
			else if (line.startsWith("- ")) {
				blocks.remove(line.split(" ")[1]);
			}
		}
		return blocks;
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).GET().build());
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(uri(path)).DELETE().build());
	}

	private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		this.requestsServed.incrementAndGet();
		return response;
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	/**
	 * What threads did, by outcome.
	 */
	private static final class Tally {

		long creates;

		long unlinks;

		long unknownUnlinks;

		long badCreates;

		long attaches;

		long missingAttaches;

		long httpRequests;

		long httpDeletes;

		long httpUnknownDeletes;

		final Map<String, Long> remaining = new HashMap<>();

		long operations() {
			return this.creates + this.unlinks + this.unknownUnlinks + this.badCreates + this.attaches
					+ this.missingAttaches + this.httpRequests;
		}

		void add(Tally other) {
			this.creates += other.creates;
			this.unlinks += other.unlinks;
			this.unknownUnlinks += other.unknownUnlinks;
			this.badCreates += other.badCreates;
			this.attaches += other.attaches;
			this.missingAttaches += other.missingAttaches;
			this.httpRequests += other.httpRequests;
			this.httpDeletes += other.httpDeletes;
			this.httpUnknownDeletes += other.httpUnknownDeletes;
			this.remaining.putAll(other.remaining);
		}

	}

}
