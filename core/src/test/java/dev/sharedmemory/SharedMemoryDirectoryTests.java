package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SharedMemoryDirectory}: choosing the directory, the platform check,
 * and attaching to what is not a block.
 */
class SharedMemoryDirectoryTests {

	@TempDir
	Path path;

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private static final List<String> CHANGED_PROPERTIES = List.of(SharedMemoryDirectory.DIRECTORY_PROPERTY, "os.name",
			"os.version", "os.arch");

	private final Map<String, String> savedProperties = new HashMap<>();

	private SharedMemoryDirectory directory;

	@BeforeEach
	void setUp() {
		this.directory = SharedMemoryDirectory.of(this.path);
		CHANGED_PROPERTIES.forEach((key) -> this.savedProperties.put(key, System.getProperty(key)));
	}

	@AfterEach
	void restoreProperties() {
		this.savedProperties.forEach((key, value) -> {
			if (value != null) {
				System.setProperty(key, value);
			}
			else {
				System.clearProperty(key);
			}
		});
	}

	@Test
	void systemPropertyMovesTheDefaultDirectory() throws Exception {
		System.setProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY, this.path.toString());
		assertThat(SharedMemoryDirectory.defaultDirectory().path()).isEqualTo(this.path.toAbsolutePath());
		String name;
		// Tracked: should the property be ignored, the block lands in /dev/shm itself.
		try (SharedMemory block = this.cleanup.track(SharedMemory.create(64))) {
			name = block.name();
			assertThat(block.directory().path()).isEqualTo(this.path.toAbsolutePath());
			assertThat(Files.size(this.path.resolve(name))).isEqualTo(64);
			assertThat(Files.exists(Path.of("/dev/shm", name))).isFalse();
		}
		try (SharedMemory attached = SharedMemory.attach(name)) {
			assertThat(attached.size()).isEqualTo(64);
		}
		SharedMemoryDirectory.defaultDirectory().unlink(name);
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void blankSystemPropertyMeansDevShm() {
		System.setProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY, "  ");
		assertThat(SharedMemoryDirectory.defaultDirectory().path()).isEqualTo(SharedMemoryDirectory.LINUX_SHM);
	}

	@Test
	void ofMakesThePathAbsoluteAndNormal() {
		Path odd = this.path.resolve("a").resolve("..");
		assertThat(SharedMemoryDirectory.of(odd).path()).isEqualTo(this.path.toAbsolutePath().normalize());
		assertThat(SharedMemoryDirectory.of(this.path)).hasToString("SharedMemoryDirectory[" + this.path + "]");
	}

	@Test
	void unsupportedPlatformFailsAtOnceNamingThePlatform() {
		System.setProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY, this.path.toString());
		System.setProperty("os.name", "Windows 11");
		System.setProperty("os.version", "10.0");
		System.setProperty("os.arch", "amd64");
		assertThat(SharedMemoryDirectory.isPlatformSupported()).isFalse();
		assertThat(SharedMemoryDirectory.platform()).isEqualTo("Windows 11 10.0 (amd64)");
		String expected = "Shared memory is supported on Linux only (through /dev/shm); this platform is "
				+ "Windows 11 10.0 (amd64)";
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> SharedMemoryDirectory.of(this.path))
			.withMessage(expected);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> SharedMemory.create(64))
			.withMessage(expected);
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> SharedMemory.attach("anything"))
			.withMessage(expected);
		System.setProperty("os.name", "Mac OS X");
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(SharedMemoryManager::new)
			.withMessageContaining("Mac OS X");
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void linuxIsSupported() {
		assertThat(System.getProperty("os.name")).isEqualTo("Linux");
		assertThat(SharedMemoryDirectory.isPlatformSupported()).isTrue();
		assertThat(SharedMemoryDirectory.platform()).startsWith("Linux ");
	}

	@Test
	void attachToAnEmptyFileFailsClearlyAndKeepsIt() throws Exception {
		Path empty = Files.createFile(this.path.resolve("empty"));
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("empty"))
			.withMessage("Cannot attach to shared memory block 'empty': it is empty (0 bytes)");
		assertThat(empty).exists().isEmptyFile();
	}

	@Test
	void attachToADirectoryFailsClearlyAndKeepsIt() throws Exception {
		Path sub = Files.createDirectory(this.path.resolve("sub"));
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("sub"))
			.withMessage("Cannot attach to shared memory block 'sub' in " + this.path + ": Is a directory");
		assertThat(sub).isDirectory();
	}

	@Test
	void attachCanReadTheFirstBytesOfTheBlockThroughItsFile() {
		byte[] contents = "abcdef".getBytes(StandardCharsets.US_ASCII);
		try (SharedMemory block = this.directory.create("head", contents.length)) {
			block.buf().put(contents);
			ByteBuffer head = ByteBuffer.allocate(16).position(2);
			try (SharedMemory attached = this.directory.attach("head", head)) {
				assertThat(attached.size()).isEqualTo(contents.length);
				assertThat(attached.buf().get(5)).isEqualTo((byte) 'f');
			}
			assertThat(head.position()).isEqualTo(2 + contents.length);
			assertThat(head.limit()).isEqualTo(16);
			assertThat(Arrays.copyOfRange(head.array(), 0, 10)).containsExactly(0, 0, 'a', 'b', 'c', 'd', 'e', 'f', 0,
					0);
			ByteBuffer shorter = ByteBuffer.allocate(4);
			this.directory.attach("head", shorter).close();
			assertThat(shorter.array()).containsExactly('a', 'b', 'c', 'd');
		}
		finally {
			this.directory.unlink("head");
		}
	}

	@Test
	void unlinkOfADirectoryIsRefusedAndKeepsIt() throws Exception {
		Path sub = Files.createDirectory(this.path.resolve("sub"));
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.unlink("sub"))
			.withMessage("Cannot unlink shared memory block 'sub' in " + this.path + ": it is a directory");
		assertThat(sub).isDirectory();
	}

	@Test
	void createOverADirectoryIsAnExistingName() throws Exception {
		Files.createDirectory(this.path.resolve("sub"));
		assertThatExceptionOfType(SharedMemoryExistsException.class).isThrownBy(() -> this.directory.create("sub", 16))
			.withMessageContaining("'sub'");
		assertThat(this.path.resolve("sub")).isEmptyDirectory();
	}

	@Test
	void createInAMissingDirectoryFailsNamingBlockAndDirectory() {
		Path missing = this.path.resolve("missing");
		SharedMemoryDirectory absent = SharedMemoryDirectory.of(missing);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> absent.create("blk", 16))
			.withMessage("Cannot create shared memory block 'blk' in " + missing + ": no such file or directory");
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> absent.attach("blk"));
		assertThat(missing).doesNotExist();
	}

	@Test
	void existsTellsWhetherTheNameIsTaken() {
		assertThat(this.directory.exists("blk")).isFalse();
		try (SharedMemory block = this.directory.create("blk", 8)) {
			assertThat(this.directory.exists("blk")).isTrue();
			assertThat(this.directory.exists("/blk")).isTrue();
			block.unlink();
		}
		assertThat(this.directory.exists("blk")).isFalse();
	}

	@Test
	void pageReservationIsOnByDefaultAndCanBeTurnedOff() {
		assertThat(this.directory.reservesPages()).isTrue();
		SharedMemoryDirectory sparse = this.directory.withPageReservation(false);
		assertThat(sparse.reservesPages()).isFalse();
		assertThat(sparse.path()).isEqualTo(this.directory.path());
		assertThat(this.directory.reservesPages()).isTrue();
		assertThat(this.directory.withPageReservation(true)).isSameAs(this.directory);
		assertThat(sparse.withPageReservation(true).reservesPages()).isTrue();
	}

	@Test
	void createWithoutReservationGivesTheFileItsSize() throws Exception {
		try (SharedMemory block = this.directory.withPageReservation(false).create("sparse", 10_000)) {
			assertThat(Files.size(this.path.resolve("sparse"))).isEqualTo(10_000);
			assertThat(block.buf().getLong(9992)).isZero();
			block.unlink();
		}
	}

	@Test
	void spaceFiguresDescribeTheFileSystem() {
		assertThat(this.directory.totalSpace()).isPositive();
		assertThat(this.directory.usableSpace()).isPositive().isLessThanOrEqualTo(this.directory.totalSpace());
		assertThat(SharedMemoryDirectory.of(this.path.resolve("missing")).usableSpace()).isZero();
	}

	@Test
	void mappingImplementationIsNamed() {
		assertThat(this.directory.mappingImplementation()).isNotBlank();
	}

	@Test
	void createInAnInterruptedThreadFailsClearlyAndLeavesNothing() {
		Thread.currentThread().interrupt();
		try {
			assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.create("blk", 4096))
				.withMessageStartingWith("Cannot create shared memory block 'blk' of 4096 bytes in " + this.path)
				.withMessageEndingWith(": the thread was interrupted");
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(this.path).isEmptyDirectory();
	}

}
