package dev.sharedmemory.ownership;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import dev.sharedmemory.Managers;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;
import dev.sharedmemory.SharedMemoryManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests the owner record on a directory that fills up while a line is appended: on a
 * real, small tmpfs the test mounts (the tests run as root), the kernel takes the part of
 * the line that fits in the record's last page and refuses the rest. The record cuts that
 * part off again, so the next line starts on a line of its own.
 */
class OwnerRecordFullDirectoryTests {

	private static final int PAGE = 4096;

	@RegisterExtension
	final Managers managers = new Managers();

	private Path mountPoint;

	@BeforeEach
	void mountSmallTmpfs() throws Exception {
		this.mountPoint = Files.createTempDirectory("coretests-record-tmpfs");
		// Not a skip: CI runs as root, so a machine where this fails must say so.
		run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "coretests-record-tmpfs", this.mountPoint.toString());
	}

	@AfterEach
	void unmount() throws Exception {
		this.managers.shutdownAll();
		run("umount", "--lazy", this.mountPoint.toString());
		Files.deleteIfExists(this.mountPoint);
	}

	@Test
	void aLineHalfWrittenToAFullDirectoryIsCutOff() throws Exception {
		SharedMemoryDirectory directory = SharedMemoryDirectory.of(this.mountPoint).withPageReservation(false);
		SharedMemoryManager manager = this.managers.started(directory, Managers::unwatched);
		SharedMemory kept = manager.sharedMemory(1);
		Path record = Managers.ownerRecord(manager);
		// Churn until the record's last page has fewer bytes free than the next "+ <name>
		// 1 <inode>" line needs.
		int steps = 0;
		while (PAGE - Files.size(record) % PAGE > 12) {
			assertThat(steps++).as("steps to bring the record's end near a page boundary").isLessThan(5_000);
			manager.unlink(manager.sharedMemory(1).name());
		}
		byte[] before = Files.readAllBytes(record);
		Path filler = fill();
		try {
			assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> manager.sharedMemory(1))
				.withMessageContaining("its owner cannot be recorded");
			assertThat(Files.readAllBytes(record)).as("the record after a failed append").isEqualTo(before);
		}
		finally {
			Files.delete(filler);
		}
		SharedMemory next = manager.sharedMemory(1);
		assertThat(new String(Files.readAllBytes(record), StandardCharsets.US_ASCII)).endsWith("\n");
		assertThat(OwnerRecord.read(record).blocks()).containsOnlyKeys(kept.name(), next.name());
		try (Stream<Path> files = Files.list(this.mountPoint)) {
			assertThat(files.map((file) -> file.getFileName().toString()).filter((name) -> !name.startsWith(".")))
				.containsExactlyInAnyOrder(kept.name(), next.name());
		}
		manager.shutdown();
	}

	/**
	 * Writes a file until the tmpfs has no page left.
	 */
	private Path fill() throws IOException {
		Path filler = this.mountPoint.resolve(".filler");
		try (OutputStream out = Files.newOutputStream(filler)) {
			byte[] page = new byte[PAGE];
			while (true) {
				out.write(page);
				out.flush();
			}
		}
		catch (IOException ex) {
			assertThat(ex).hasMessageContaining("No space left on device");
		}
		return filler;
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		int status = process.waitFor();
		if (status != 0) {
			throw new IllegalStateException(String.join(" ", command) + " failed with status " + status + ": " + output
					+ " (these tests mount a tmpfs and must run as root)");
		}
	}

}
