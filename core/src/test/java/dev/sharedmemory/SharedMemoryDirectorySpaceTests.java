package dev.sharedmemory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests how {@link SharedMemoryDirectory#create(String, long)} takes a block's space, on
 * a real, small tmpfs the test mounts (the tests run as root), whose free space no other
 * process changes meanwhile: a block takes its pages at create, and one larger than the
 * free space is refused before a byte is written.
 */
class SharedMemoryDirectorySpaceTests {

	private static final int SIZE = 1 << 20;

	private Path mountPoint;

	private SharedMemoryDirectory directory;

	@BeforeEach
	void mountSmallTmpfs() throws Exception {
		this.mountPoint = Files.createTempDirectory("coretests-space-tmpfs");
		// Not a skip: CI runs as root, so a machine where this fails must say so.
		run("mount", "-t", "tmpfs", "-o", "size=" + SIZE + ",mode=0700", "coretests-space-tmpfs",
				this.mountPoint.toString());
		this.directory = SharedMemoryDirectory.of(this.mountPoint);
	}

	@AfterEach
	void unmount() throws Exception {
		run("umount", "--lazy", this.mountPoint.toString());
		Files.deleteIfExists(this.mountPoint);
	}

	@Test
	void aBlockOfExactlyTheFreeSpaceFitsAndOneByteMoreIsRefusedNamingBoth() {
		long free = this.directory.usableSpace();
		assertThat(free).isEqualTo(SIZE);
		// Refused by the statfs(2) check, before any page is written: writing would fail
		// too, but only once the directory is full, with another message.
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("over", free + 1))
			.withMessage("Cannot create shared memory block 'over' of " + (free + 1) + " bytes: only " + free
					+ " bytes free in " + this.mountPoint);
		assertThat(this.mountPoint).isEmptyDirectory();
		// Last: on JDK 17 a closed block stays mapped, and holds its pages, until the
		// garbage collector frees its buffer.
		try (SharedMemory block = this.directory.create("exact", free)) {
			assertThat(block.size()).isEqualTo(free);
			assertThat(this.directory.usableSpace()).isZero();
		}
	}

	@Test
	void aBlockTakesItsPagesAtCreateUnlessReservationIsOff() {
		try (SharedMemory reserved = this.directory.create("reserved", SIZE / 4)) {
			assertThat(this.directory.usableSpace()).isEqualTo(SIZE - SIZE / 4);
		}
		try (SharedMemory sparse = this.directory.withPageReservation(false).create("sparse", SIZE / 4)) {
			assertThat(this.directory.usableSpace()).isEqualTo(SIZE - SIZE / 4);
		}
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		// Closed here, not by the garbage collector amid a later test that counts this
		// JVM's descriptors.
		process.getOutputStream().close();
		String output;
		try (InputStream out = process.getInputStream()) {
			output = new String(out.readAllBytes(), StandardCharsets.UTF_8).trim();
		}
		int status = process.waitFor();
		if (status != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed with status " + status + ": " + output
					+ " (these tests mount a tmpfs and must run as root)");
		}
	}

}
