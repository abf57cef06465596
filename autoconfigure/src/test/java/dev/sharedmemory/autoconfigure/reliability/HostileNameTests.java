package dev.sharedmemory.autoconfigure.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.it.SharedMemoryTestApplication;
import dev.sharedmemory.ownership.OwnerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
 * Sends the endpoint's {@code {name}} a corpus of path traversal and encoding tricks, as
 * raw bytes on a socket so that no client library tidies them first, with GET and DELETE.
 * A canary file outside the directory, blocks the application did not create (one named
 * as Python names them), the manager's owner record and lock file, and the application's
 * own block all stay exactly as they were, and no DELETE succeeds. The only server errors
 * are Spring MVC's, for a path parameter with an invalid escape, which it refuses before
 * choosing a handler.
 */
@SpringBootTest(classes = SharedMemoryTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "management.endpoints.web.exposure.include=sharedmemory")
@DirtiesContext
class HostileNameTests {

	private static final String CANARY_TEXT = "canary: must never change";

	@TempDir
	static Path root;

	private static Path directory;

	@DynamicPropertySource
	static void sharedMemoryDirectory(DynamicPropertyRegistry registry) throws IOException {
		directory = Files.createDirectory(root.resolve("shm"));
		registry.add("shared-memory.directory", directory::toString);
	}

	@LocalServerPort
	private int port;

	@Autowired
	private SharedMemoryManager manager;

	private Path canary;

	private Path outsideCanary;

	private SharedMemory own;

	@BeforeEach
	void plantFiles() throws IOException {
		this.canary = Files.writeString(root.resolve("canary"), CANARY_TEXT);
		Files.createDirectories(root.resolve("outside"));
		this.outsideCanary = Files.writeString(root.resolve("outside").resolve("canary"), CANARY_TEXT);
		Files.setLastModifiedTime(this.canary, FileTime.fromMillis(1_000_000));
		SharedMemoryDirectory blocks = SharedMemoryDirectory.of(directory);
		for (String foreign : List.of("foreign", "psm_deadbeef")) {
			try (SharedMemory block = blocks.create(foreign, 64)) {
				block.buf().put(0, foreign.getBytes(StandardCharsets.US_ASCII));
			}
		}
		this.own = this.manager.sharedMemory(64);
	}

	@AfterEach
	void removeFiles() throws IOException {
		this.manager.unlink(this.own.name());
		SharedMemoryDirectory.of(directory).unlink("foreign");
		SharedMemoryDirectory.of(directory).unlink("psm_deadbeef");
	}

	@Test
	void noNameReachesAFileTheApplicationDidNotCreate() throws Exception {
		String record = ownerFileName(OwnerRecord.FILE_PREFIX);
		String lock = ownerFileName(OwnerRecord.LOCK_PREFIX);
		Set<String> before = files();
		assertThat(before).containsExactlyInAnyOrder("foreign", "psm_deadbeef", this.own.name(), record, lock);
		Map<Integer, Integer> statuses = new TreeMap<>();
		Set<String> corpus = corpus(record, lock);
		for (String name : corpus) {
			for (String method : List.of("GET", "DELETE")) {
				int status = send(method, "/actuator/sharedmemory/" + name);
				statuses.merge(status, 1, Integer::sum);
				if (status >= 500) {
					// Spring MVC's own parsing of a path parameter with a bad escape
					// (";%u2215") fails with IllegalArgumentException before any handler
					// is chosen (spring-framework#30539): never the endpoint's.
					assertThat(name).as("%s %s answered %d", method, name, status).matches(".*;%u.*");
				}
				if (method.equals("DELETE")) {
					assertThat(status).as("%s %s", method, name).isGreaterThanOrEqualTo(400);
				}
			}
			assertUntouched(before);
		}
		assertThat(corpus).hasSizeGreaterThan(1000);
		System.out.printf(
				"RELIABILITY hostile names: %d names x GET and DELETE = %d requests, statuses %s, canary, "
						+ "foreign blocks and owner record and lock file untouched%n",
				corpus.size(), 2 * corpus.size(), statuses);
	}

	private void assertUntouched(Set<String> before) throws IOException {
		assertThat(this.canary).hasContent(CANARY_TEXT);
		assertThat(Files.getLastModifiedTime(this.canary).toMillis()).isEqualTo(1_000_000);
		assertThat(this.outsideCanary).hasContent(CANARY_TEXT);
		assertThat(files()).isEqualTo(before);
		assertThat(new String(Files.readAllBytes(directory.resolve("foreign")), StandardCharsets.US_ASCII))
			.startsWith("foreign");
		assertThat(this.manager.blockCount()).isOne();
		assertThat(this.own.isClosed()).isFalse();
	}

	/**
	 * Traversals in every spelling a server or a decoder might turn into {@code ..} and
	 * {@code /}, aimed at the canaries, the foreign blocks the record and the lock file;
	 * and the foreign names themselves, disguised.
	 */
	private static Set<String> corpus(String record, String lock) {
		List<String> dotDots = List.of("..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%252e%252e", "%c0%ae%c0%ae",
				"%e0%80%ae%e0%80%ae", "%uff0e%uff0e", "\uff0e\uff0e", "..%00", "..;", ".%00.", "...", "....");
		List<String> separators = List.of("/", "%2f", "%2F", "%252f", "\\", "%5c", "%5C", "%c0%af", "%e0%80%af", "//",
				";/", "%00/", "%u2215", "\u2215");
		List<String> targets = List.of("canary", "outside/canary", "outside%2fcanary", "shm/foreign", "etc/passwd");
		Set<String> corpus = new LinkedHashSet<>();
		for (String dotDot : dotDots) {
			for (String separator : separators) {
				for (String target : targets) {
					corpus.add(dotDot + separator + target);
					corpus.add(dotDot + separator + dotDot + separator + target);
				}
				corpus.add(dotDot + separator);
				corpus.add(separator + dotDot);
			}
			corpus.add(dotDot);
		}
		for (String name : List.of("foreign", "psm_deadbeef", record, lock)) {
			for (String disguise : List.of("%s%%00", "%s%%00.txt", "%s/", "%s%%2f", "%s;x", "%s%%20", "%%20%s", "%s.",
					"./%s", "%%2e%%2f%s", ".%%2f%s", "%%2f%s", "/%s", "//%s", "%s%%0a", "%%0d%%0a%s",
					"%s%%0d%%0aX-Injected:%%201", "%s\\", "%s%%5c", "%s*", "%s%%2a", "%s?x=1", "%s#x", "%s%%23x",
					"../shm/%s", "..%%2fshm%%2f%s", "%s%%ff", "%s%%c3%%28")) {
				corpus.add(String.format(Locale.ROOT, disguise, name));
			}
			corpus.add(encodeAll(name));
			corpus.add(encodeAll(encodeAll(name)));
			corpus.add(name.toUpperCase(Locale.ROOT));
			corpus.add(fullWidth(name));
		}
		corpus.addAll(List.of("*", "%2a", "~", "$HOME", "%24HOME", "%00", "%0a", "%0d", "%09", "%20", "%7f", "%ff",
				"x".repeat(255), "x".repeat(256), "x".repeat(4000), "%2e", ".", ".%00", "%", "%%", "%g0", "%2",
				"\u00e9", "%c3%a9", "\ud83d\ude00"));
		return corpus;
	}

	private static String encodeAll(String name) {
		StringBuilder encoded = new StringBuilder();
		for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
			encoded.append('%').append(String.format(Locale.ROOT, "%02x", b & 0xff));
		}
		return encoded.toString();
	}

	private static String fullWidth(String name) {
		StringBuilder wide = new StringBuilder();
		name.chars().forEach((c) -> wide.append((c > ' ' && c < 0x7f) ? (char) (c - 0x21 + 0xff01) : (char) c));
		return wide.toString();
	}

	/**
	 * Sends a request with the target exactly as given: characters above ASCII go as
	 * their UTF-8 bytes, nothing is encoded or normalized.
	 */
	private int send(String method, String target) throws IOException {
		try (Socket socket = new Socket("localhost", this.port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write((method + " ").getBytes(StandardCharsets.US_ASCII));
			out.write(target.getBytes(StandardCharsets.UTF_8));
			out.write(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			String statusLine = readLine(socket.getInputStream());
			assertThat(statusLine).as("response to %s %s", method, target).startsWith("HTTP/1.1 ");
			return Integer.parseInt(statusLine.substring(9, 12));
		}
	}

	private static String readLine(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
			line.write(b);
		}
		return line.toString(StandardCharsets.ISO_8859_1).trim();
	}

	private static Set<String> files() throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.map((file) -> file.getFileName().toString()).collect(Collectors.toSet());
		}
	}

	private static String ownerFileName(String prefix) throws IOException {
		return files().stream().filter((name) -> name.startsWith(prefix)).findFirst().orElseThrow();
	}

}
