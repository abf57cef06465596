package dev.sharedmemory.autoconfigure.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryException;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.it.SharedMemoryTestApplication;
import dev.sharedmemory.ownership.OwnerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The application's directory is a deliberately small tmpfs, mounted by the test (CI runs
 * as root; a failed mount fails the test). Creating past its capacity fails with the
 * core's clear error and leaves nothing behind, the application keeps serving, and the
 * health indicator goes DOWN below {@code management.health.sharedmemory.threshold} and
 * UP again once blocks are unlinked.
 */
@SpringBootTest(classes = SharedMemoryTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,sharedmemory",
				"management.endpoint.health.show-details=always", "management.health.sharedmemory.threshold=2MB" })
@DirtiesContext
class FullDirectoryTests {

	// The application's one manager, under its bean name, in the endpoint's answer.
	private static final String MANAGER = "$.managers.sharedMemoryManager";

	private static final long MOUNT_SIZE = 8L << 20;

	private static final long MIB = 1L << 20;

	private static Path mountPoint;

	@DynamicPropertySource
	static void smallTmpfs(DynamicPropertyRegistry registry) throws Exception {
		mountPoint = Files.createTempDirectory("shared-memory-full-");
		run("mount", "-t", "tmpfs", "-o", "size=" + MOUNT_SIZE + ",mode=0700", "shared-memory-full",
				mountPoint.toString());
		registry.add("shared-memory.directory", mountPoint::toString);
	}

	@AfterAll
	static void unmount() throws Exception {
		// Mappings the garbage collector has not dropped yet keep the mount busy: detach
		// it, the kernel frees it.
		run("umount", "--lazy", mountPoint.toString());
		Files.delete(mountPoint);
	}

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SharedMemoryManager manager;

	@Test
	void creatingPastCapacityFailsCleanlyTheAppServesAndHealthFollowsTheFreeSpace() throws Exception {
		assertThat(this.manager.directory().totalSpace()).isEqualTo(MOUNT_SIZE);
		assertThat(health().statusCode()).isEqualTo(200);
		// Names only: on JDK 17 to 21 a handle kept keeps its block mapped, and its pages
		// taken, once unlinked.
		List<String> blocks = new ArrayList<>();
		SharedMemoryException full = null;
		while (full == null) {
			try {
				SharedMemory block = this.manager.sharedMemory(MIB);
				// Every page was reserved: writing the last byte cannot SIGBUS.
				block.buf().put((int) MIB - 1, (byte) 1);
				blocks.add(block.name());
			}
			catch (SharedMemoryException ex) {
				full = ex;
			}
		}
		// 8 MiB hold 7 blocks of 1 MiB beside the owner record's page.
		assertThat(blocks).hasSize(7);
		assertThat(full.getMessage()).matches("Cannot create shared memory block 'psm_[0-9a-f]{8}' of 1048576 bytes.*")
			.contains(mountPoint.toString())
			.contains("bytes free");
		Set<String> names = Set.copyOf(blocks);
		assertThat(blockFiles()).isEqualTo(names);
		assertThat(recordFiles()).hasSize(1);
		assertThat(this.manager.blockCount()).isEqualTo(7);
		assertThatExceptionOfType(SharedMemoryException.class)
			.isThrownBy(() -> this.manager.shareableList(Collections.nCopies(1000, "x".repeat(2000))));
		assertThat(blockFiles()).isEqualTo(names);

		// The application keeps serving, and says the directory is short of space.
		HttpResponse<String> list = get("/actuator/sharedmemory");
		assertThat(list.statusCode()).isEqualTo(200);
		assertThat(JsonPath.parse(list.body()).read(MANAGER + ".count", Integer.class)).isEqualTo(7);
		HttpResponse<String> down = health();
		assertThat(down.statusCode()).isEqualTo(503);
		assertThat(JsonPath.parse(down.body()).read("$.status", String.class)).isEqualTo("DOWN");
		assertThat(JsonPath.parse(down.body()).read("$.details.usable", Long.class)).isLessThan(2 * MIB);
		assertThat(JsonPath.parse(down.body()).read("$.details.threshold", Long.class)).isEqualTo(2 * MIB);
		try (SharedMemory attached = this.manager.attach(blocks.get(0))) {
			assertThat(attached.buf().get((int) MIB - 1)).isEqualTo((byte) 1);
		}

		// Unlinking blocks through the endpoint gives the space back, and health comes UP
		// again.
		for (String name : blocks.subList(0, 3)) {
			assertThat(delete("/actuator/sharedmemory/" + name).statusCode()).isEqualTo(204);
		}
		await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() -> {
			// On JDK 17 to 21 an unlinked block's pages return once the collector drops
			// its last buffer.
			System.gc();
			return health().statusCode() == 200;
		});
		assertThat(JsonPath.parse(health().body()).read("$.status", String.class)).isEqualTo("UP");
		String again = this.manager.sharedMemory(MIB).name();
		assertThat(blockFiles()).hasSize(5).contains(again);

		this.manager.blocks().forEach((block) -> this.manager.unlink(block.name()));
		assertThat(blockFiles()).isEmpty();
		System.out.printf("RELIABILITY full tmpfs: %d MiB mount, %d blocks of 1 MiB fitted, create past capacity "
				+ "failed with: %s%n", MOUNT_SIZE / MIB, blocks.size(), full.getMessage());
	}

	private Set<String> blockFiles() throws IOException {
		return files().stream().filter((name) -> !OwnerRecord.isOwnerFile(name)).collect(Collectors.toSet());
	}

	private Set<String> recordFiles() throws IOException {
		return files().stream().filter((name) -> name.startsWith(OwnerRecord.FILE_PREFIX)).collect(Collectors.toSet());
	}

	private Set<String> files() throws IOException {
		try (Stream<Path> files = Files.list(mountPoint)) {
			return files.map((file) -> file.getFileName().toString()).collect(Collectors.toSet());
		}
	}

	private HttpResponse<String> health() throws IOException, InterruptedException {
		return get("/actuator/health/sharedMemory");
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(uri(path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
	}

}
