package dev.sharedmemory.autoconfigure.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.reliability.DeadOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@code management.endpoint.sharedmemory.access=read-only} keeps the census
 * and turns off the reclaim.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=sharedmemory",
				"management.endpoint.sharedmemory.access=read-only", "shared-memory.reclaim-orphans=false" })
@DirtiesContext
class SharedMemoryReadOnlyHttpTests {

	@TempDir
	static Path root;

	static Path directory;

	@DynamicPropertySource
	static void sharedMemoryDirectory(DynamicPropertyRegistry registry) throws IOException {
		directory = Files.createDirectory(root.resolve("shm"));
		registry.add("shared-memory.directory", directory::toString);
	}

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private SharedMemoryManager manager;

	@Test
	void readOnlyAccessShowsTheCensusButNeverReclaims() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(directory, "read-only-orphan-", 64);
		try {
			HttpResponse<String> census = send(HttpRequest.newBuilder(uri()).GET());
			assertThat(census.statusCode()).isEqualTo(200);
			assertThat(census.body()).contains(orphans.get(0));
			HttpResponse<String> reclaim = send(
					HttpRequest.newBuilder(uri()).POST(HttpRequest.BodyPublishers.noBody()));
			assertThat(reclaim.statusCode()).isEqualTo(405);
			assertThat(directory.resolve(orphans.get(0))).exists();
		}
		finally {
			this.manager.reclaimOrphans();
		}
	}

	private URI uri() {
		return URI.create("http://localhost:" + this.port + "/actuator/sharedmemory?scope=directory");
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
