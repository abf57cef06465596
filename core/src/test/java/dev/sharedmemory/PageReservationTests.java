package dev.sharedmemory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sharedmemory.mapping.MemoryMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests page reservation on a real, small tmpfs that the test mounts (the tests run as
 * root): a directory too full for a block fails at create with the sizes in the message,
 * where an unreserved block would crash a later write with {@code SIGBUS}, and a failed
 * create leaves nothing behind.
 * <p>
 * Each test gets a fresh mount: an unlinked block's pages are only freed once every
 * mapping of it is gone, which on JDK 17 waits for the garbage collector, so one test's
 * blocks would still take space in the next.
 */
class PageReservationTests {

	private static final long MOUNT_SIZE = 4L << 20;

	private static final long MIB = 1L << 20;

	private static final List<Path> mounted = new ArrayList<>();

	private final List<SharedMemory> handles = new ArrayList<>();

	private Path mountPoint;

	private SharedMemoryDirectory directory;

	@BeforeEach
	void mountSmallTmpfs() throws Exception {
		this.mountPoint = Files.createTempDirectory("coretests-tmpfs");
		// Not a skip: CI runs as root, so a machine where this fails must say so.
		run("mount", "-t", "tmpfs", "-o", "size=" + MOUNT_SIZE + ",mode=0700", "coretests-tmpfs",
				this.mountPoint.toString());
		mounted.add(this.mountPoint);
		this.directory = SharedMemoryDirectory.of(this.mountPoint);
		assertThat(this.directory.totalSpace()).isEqualTo(MOUNT_SIZE);
		assertThat(this.directory.usableSpace()).isEqualTo(MOUNT_SIZE);
	}

	@AfterEach
	void removeBlocksAndUnmount() throws Exception {
		this.handles.forEach(SharedMemory::close);
		try (Stream<Path> files = Files.list(this.mountPoint)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		unmount(this.mountPoint);
	}

	@AfterAll
	static void unmountLeftovers() throws Exception {
		for (Path mountPoint : List.copyOf(mounted)) {
			unmount(mountPoint);
		}
	}

	private static void unmount(Path mountPoint) throws Exception {
		if (mounted.remove(mountPoint)) {
			// Views of its blocks stay mapped until the garbage collector drops them, so
			// a plain umount may find the mount busy: detach it now, the kernel frees it
			// once the last mapping is gone.
			run("umount", "--lazy", mountPoint.toString());
		}
		Files.deleteIfExists(mountPoint);
	}

	@Test
	void blockLargerThanTheFreeSpaceFailsNamingTheSizesAndLeavesNoFile() throws Exception {
		long size = 5 * MIB;
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("big", size))
			.withMessage("Cannot create shared memory block 'big' of 5242880 bytes: only 4194304 bytes free in "
					+ this.mountPoint);
		assertThat(this.mountPoint).isEmptyDirectory();
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create(size))
			.withMessageMatching("Cannot create shared memory block 'psm_[0-9a-f]{8}' of 5242880 bytes: only "
					+ "4194304 bytes free in " + this.mountPoint);
		assertThat(this.mountPoint).isEmptyDirectory();
	}

	@Test
	void aBlockOfExactlyTheFreeSpaceFitsAndOneByteMoreIsRefusedNamingBoth() {
		long free = this.directory.usableSpace();
		assertThat(free).isEqualTo(MOUNT_SIZE);
		// Refused by the statfs(2) check, before any page is written: writing would fail
		// too, but only once the directory is full, with another message.
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("over", free + 1))
			.withMessage("Cannot create shared memory block 'over' of " + (free + 1) + " bytes: only " + free
					+ " bytes free in " + this.mountPoint);
		assertThat(this.mountPoint).isEmptyDirectory();
		try (SharedMemory block = this.directory.create("exact", free)) {
			assertThat(block.size()).isEqualTo(free);
			assertThat(this.directory.usableSpace()).isZero();
		}
	}

	@Test
	void aBlockTakesItsPagesAtCreateUnlessReservationIsOff() {
		try (SharedMemory reserved = this.directory.create("reserved", MOUNT_SIZE / 4)) {
			assertThat(this.directory.usableSpace()).isEqualTo(MOUNT_SIZE - MOUNT_SIZE / 4);
		}
		// The first block's pages stay taken: it is still in the directory.
		try (SharedMemory sparse = this.directory.withPageReservation(false).create("sparse", MOUNT_SIZE / 4)) {
			assertThat(this.directory.usableSpace()).isEqualTo(MOUNT_SIZE - MOUNT_SIZE / 4);
		}
	}

	@Test
	void blocksFillTheDirectoryOneByOneThenCreateFailsAtTheRightPoint() throws Exception {
		long size = MIB;
		long fitting = this.directory.usableSpace() / size;
		assertThat(fitting).isEqualTo(4);
		List<String> names = new ArrayList<>();
		for (int i = 0; i < fitting; i++) {
			SharedMemory block = track(this.directory.create(size));
			// Every page is there: writing the last byte of the last block cannot fault.
			block.buf().put((int) size - 1, (byte) i);
			names.add(block.name());
		}
		assertThat(this.directory.usableSpace()).isZero();
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("one-more", size))
			.withMessage("Cannot create shared memory block 'one-more' of 1048576 bytes: only 0 bytes free in "
					+ this.mountPoint);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("tiny", 1))
			.withMessageContaining("'tiny' of 1 bytes");
		assertThat(listNames()).containsExactlyInAnyOrderElementsOf(names);
		for (int i = 0; i < names.size(); i++) {
			try (SharedMemory attached = this.directory.attach(names.get(i))) {
				assertThat(attached.size()).isEqualTo(size);
				assertThat(attached.buf().get((int) size - 1)).isEqualTo((byte) i);
			}
		}
	}

	@Test
	void blocksOfSizesThatAreNotPageMultiplesTakeWholePages() throws Exception {
		long pageSize = Files.getFileStore(this.mountPoint).getBlockSize();
		long size = MIB + MIB / 2 + 1;
		long pagesPerBlock = (size + pageSize - 1) / pageSize;
		long fitting = (this.directory.usableSpace() / pageSize) / pagesPerBlock;
		assertThat(fitting).isEqualTo(2);
		for (int i = 0; i < fitting; i++) {
			track(this.directory.create(size));
		}
		long left = this.directory.usableSpace();
		assertThat(left).isEqualTo(MOUNT_SIZE - fitting * pagesPerBlock * pageSize).isLessThan(size);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("third", size))
			.withMessage("Cannot create shared memory block 'third' of " + size + " bytes: only " + left
					+ " bytes free in " + this.mountPoint);
		assertThat(listNames()).hasSize((int) fitting).doesNotContain("third");
		track(this.directory.create("fits", left));
		assertThat(this.directory.usableSpace()).isZero();
	}

	@Test
	void withoutReservationCreateSucceedsBeyondTheFreeSpace() throws Exception {
		// What reservation prevents: this block has pages the tmpfs cannot give; writing
		// to them would SIGBUS, so the test never does.
		SharedMemory block = track(this.directory.withPageReservation(false).create("sparse", 8 * MIB));
		assertThat(block.size()).isEqualTo(8 * MIB);
		assertThat(Files.size(this.mountPoint.resolve("sparse"))).isEqualTo(8 * MIB);
		assertThat(this.directory.usableSpace()).isGreaterThan(MOUNT_SIZE - MIB);
	}

	@Test
	void attachNeedsNoSpaceAndAFailedCreateDoesNotTouchTheBlocksThere() throws Exception {
		SharedMemory full = track(this.directory.create("full", MOUNT_SIZE));
		full.buf().putLong(0, 1234L);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("more", 4096));
		assertThatExceptionOfType(SharedMemoryExistsException.class)
			.isThrownBy(() -> this.directory.create("full", 4096));
		try (SharedMemory attached = this.directory.attach("full")) {
			assertThat(attached.size()).isEqualTo(MOUNT_SIZE);
			assertThat(attached.buf().getLong(0)).isEqualTo(1234L);
		}
		assertThat(listNames()).containsExactly("full");
	}

	@Test
	void spaceOfAnUnlinkedBlockComesBackOnceItIsNoLongerMapped() {
		fillAndUnlink("first");
		if (!MemoryMapper.best().unmapsOnRelease(MOUNT_SIZE)) {
			// Below 16 MiB, and on JDK 17-21: the pages are freed when the garbage
			// collector unmaps the block's last buffer.
			await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(50)).until(() -> {
				System.gc();
				return this.directory.usableSpace() == MOUNT_SIZE;
			});
		}
		assertThat(this.directory.usableSpace()).isEqualTo(MOUNT_SIZE);
		fillAndUnlink("second");
	}

	private void fillAndUnlink(String name) {
		try (SharedMemory block = this.directory.create(name, MOUNT_SIZE)) {
			block.buf().put((int) MOUNT_SIZE - 1, (byte) 1);
			block.unlink();
		}
	}

	private SharedMemory track(SharedMemory block) {
		this.handles.add(block);
		return block;
	}

	private List<String> listNames() throws IOException {
		try (Stream<Path> files = Files.list(this.mountPoint)) {
			return files.map((file) -> file.getFileName().toString()).toList();
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
