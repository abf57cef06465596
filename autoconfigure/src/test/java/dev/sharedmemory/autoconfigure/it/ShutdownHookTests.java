package dev.sharedmemory.autoconfigure.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a SIGTERM to the application unlinks the blocks it created, through Spring's
 * shutdown hook.
 */
class ShutdownHookTests {

	@TempDir
	Path root;

	@Test
	void sigtermUnlinksEveryManagedBlock() throws Exception {
		Path directory = Files.createDirectory(this.root.resolve("shm"));
		Path output = this.root.resolve("child.log");
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), ShutdownHookChild.class.getName(),
				"--shared-memory.directory=" + directory, "--spring.main.banner-mode=off")
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		try {
			List<String> names = await().atMost(Duration.ofMinutes(2))
				.until(() -> blockNames(output, child), Optional::isPresent)
				.get();
			assertThat(names).hasSize(2).allSatisfy((name) -> assertThat(directory.resolve(name)).exists());
			// Process.destroy() sends SIGTERM on Linux.
			child.destroy();
			assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
			assertThat(child.exitValue()).as(Files.readString(output)).isEqualTo(128 + 15);
			assertThat(directory).isEmptyDirectory();
		}
		finally {
			child.destroyForcibly().waitFor();
		}
	}

	private static Optional<List<String>> blockNames(Path output, Process child) throws IOException {
		assertThat(child.isAlive()).as("child is alive").isTrue();
		return Files.readAllLines(output)
			.stream()
			.filter((line) -> line.startsWith("BLOCKS "))
			.findFirst()
			.map((line) -> Arrays.asList(line.substring("BLOCKS ".length()).split(" ")));
	}

}
