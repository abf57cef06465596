package dev.sharedmemory.autoconfigure.health;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SharedMemoryHealthIndicator}.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedMemoryHealthIndicatorTests {

	@TempDir
	Path directory;

	private SharedMemoryManager manager;

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
	}

	private Health health(Path path, DataSize threshold) {
		this.manager = SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(path)).build();
		this.manager.start();
		return new SharedMemoryHealthIndicator(this.manager, threshold).health(true);
	}

	@Test
	void upWithEveryFigure() {
		this.manager = SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(this.directory)).build();
		this.manager.start();
		this.manager.sharedMemory(1000);
		this.manager.sharedMemory(24);
		Health health = new SharedMemoryHealthIndicator(this.manager, DataSize.ofMegabytes(1)).health(true);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("directory", this.directory.toAbsolutePath().toString())
			.containsEntry("exists", true)
			.containsEntry("writable", true)
			.containsEntry("threshold", 1024L * 1024)
			.containsEntry("blocks", 2)
			.containsEntry("bytes", 1024L);
		assertThat((long) health.getDetails().get("total")).isPositive();
		assertThat((long) health.getDetails().get("usable")).isPositive();
	}

	@Test
	void downWhenUsableSpaceIsBelowTheThreshold(CapturedOutput output) {
		Health health = health(this.directory, DataSize.ofTerabytes(1024 * 1024));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("exists", true).containsEntry("writable", true);
		assertThat(output).contains("Shared memory directory '" + this.directory.toAbsolutePath() + "' unfit")
			.contains("(threshold: 1152921504606846976 bytes)");
	}

	@Test
	void downWhenTheDirectoryIsMissing() {
		Health health = health(this.directory.resolve("missing"), DataSize.ofBytes(0));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("exists", false)
			.containsEntry("writable", false)
			.containsEntry("usable", 0L);
	}

	@Test
	void downWhenTheDirectoryIsAFile() throws Exception {
		Path file = Files.createFile(this.directory.resolve("file"));
		Health health = health(file, DataSize.ofBytes(0));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("exists", false);
	}

	@Test
	void downWhenTheDirectoryIsNotWritable() {
		// Read-only even to root, unlike a directory of mode 0555, which root may still
		// write to.
		Health health = health(Path.of("/proc/sys"), DataSize.ofBytes(0));
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(health.getDetails()).containsEntry("exists", true).containsEntry("writable", false);
	}

}
