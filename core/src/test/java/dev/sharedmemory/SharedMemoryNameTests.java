package dev.sharedmemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests that block names are checked as {@code shm_open(3)} sees them and that no name,
 * nor a link planted in the directory, ever reaches a file outside it.
 */
class SharedMemoryNameTests {

	private static final String CANARY_TEXT = "canary: must never change";

	@TempDir
	Path root;

	private Path directoryPath;

	private Path outside;

	private Path canary;

	private SharedMemoryDirectory directory;

	@BeforeEach
	void setUp() throws Exception {
		this.directoryPath = Files.createDirectory(this.root.resolve("shm"));
		this.outside = Files.createDirectory(this.root.resolve("outside"));
		this.canary = Files.writeString(this.outside.resolve("canary"), CANARY_TEXT);
		Files.writeString(this.root.resolve("canary"), CANARY_TEXT);
		this.directory = SharedMemoryDirectory.of(this.directoryPath);
	}

	static Stream<Arguments> invalidNames() {
		return Stream.of(Arguments.of("", "must not be empty"), Arguments.of("/", "must not be empty"),
				Arguments.of("a/b", "'/'"), Arguments.of("/a/b", "'/'"), Arguments.of("//a", "'/'"),
				Arguments.of("a/", "'/'"), Arguments.of("../canary", "'/'"), Arguments.of("/../canary", "'/'"),
				Arguments.of("../outside/canary", "'/'"), Arguments.of("shm/../canary", "'/'"),
				Arguments.of("/dev/shm/x", "'/'"), Arguments.of(".", "must not be '.'"),
				Arguments.of("/.", "must not be '.'"), Arguments.of("..", "must not be '..'"),
				Arguments.of("/..", "must not be '..'"), Arguments.of("\0", "NUL"), Arguments.of("a\0b", "NUL"),
				Arguments.of("canary\0", "NUL"), Arguments.of("a".repeat(256), "256 bytes long"),
				Arguments.of("/" + "a".repeat(256), "256 bytes long"), Arguments.of("é".repeat(128), "256 bytes long"),
				Arguments.of("€".repeat(86), "258 bytes long"));
	}

	@ParameterizedTest
	@MethodSource("invalidNames")
	void invalidNamesAreRefusedEverywhereAndTouchNothing(String name, String problem) throws Exception {
		List<Consumer<String>> uses = List.of((n) -> this.directory.create(n, 16), this.directory::attach,
				this.directory::unlink, this.directory::exists, SharedMemoryDirectory::checkName,
				(n) -> SharedMemoryDirectory.of(this.directoryPath).withPageReservation(false).create(n, 16));
		for (Consumer<String> use : uses) {
			assertThatIllegalArgumentException().isThrownBy(() -> use.accept(name))
				.withMessageStartingWith("Shared memory block name")
				.withMessageContaining(problem);
		}
		assertUntouched();
		try (var files = Files.list(this.directoryPath)) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void nullNameIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.directory.create(null, 1))
			.withMessage("Shared memory block name must not be null");
		assertThatIllegalArgumentException().isThrownBy(() -> this.directory.attach(null));
	}

	@Test
	void nameLimitIs255BytesNotCountingALeadingSlash() throws Exception {
		String longest = "n".repeat(255);
		try (SharedMemory block = this.directory.create(longest, 8)) {
			assertThat(block.name()).hasSize(255);
			assertThat(Files.exists(this.directoryPath.resolve(longest))).isTrue();
		}
		try (SharedMemory block = this.directory.attach("/" + longest)) {
			assertThat(block.size()).isEqualTo(8);
		}
		this.directory.unlink("/" + longest);
		assertThat(SharedMemoryDirectory.checkName("€".repeat(85))).isEqualTo("€".repeat(85));
		assertThat(SharedMemoryDirectory.checkName("/" + "€".repeat(85))).isEqualTo("€".repeat(85));
		assertThat("€".repeat(85).getBytes(StandardCharsets.UTF_8)).hasSize(255);
	}

	@ParameterizedTest
	@ValueSource(strings = { "...", "..a", "a..", ".hidden", " ..", "a b", "-rf", "*", "$HOME", "~", "canary",
			"psm_ABCDEFGH", "\\..\\canary", "a\nb", "%2e%2e%2fcanary" })
	void oddButValidNamesStayDirectChildrenOfTheDirectory(String name) throws Exception {
		try (SharedMemory block = this.directory.create(name, 16)) {
			block.buf().put(0, (byte) 1);
			assertThat(block.name()).isEqualTo(name);
		}
		Path file = this.directoryPath.resolve(name);
		assertThat(file.getParent()).isEqualTo(this.directoryPath);
		assertThat(Files.size(file)).isEqualTo(16);
		this.directory.unlink(name);
		try (var files = Files.list(this.directoryPath)) {
			assertThat(files).isEmpty();
		}
		assertUntouched();
	}

	@Test
	void attachNeverFollowsASymlinkPlantedInTheDirectory() throws Exception {
		Files.createSymbolicLink(this.directoryPath.resolve("evil"), this.canary);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("evil"))
			.isNotInstanceOf(SharedMemoryNotFoundException.class)
			.withMessageContaining("'evil'")
			.withMessageContaining("symbolic link");
		assertUntouched();
		assertThat(Files.isSymbolicLink(this.directoryPath.resolve("evil"))).isTrue();
	}

	@Test
	void createNeverWritesThroughASymlinkPlantedInTheDirectory() throws Exception {
		Files.createSymbolicLink(this.directoryPath.resolve("evil"), this.canary);
		assertThatExceptionOfType(SharedMemoryExistsException.class)
			.isThrownBy(() -> this.directory.create("evil", 4096));
		assertThatExceptionOfType(SharedMemoryExistsException.class)
			.isThrownBy(() -> this.directory.withPageReservation(false).create("evil", 4096));
		assertUntouched();
		assertThat(Files.isSymbolicLink(this.directoryPath.resolve("evil"))).isTrue();
	}

	@Test
	void danglingSymlinkLeadsNowhere() throws Exception {
		Path target = this.outside.resolve("created-through-link");
		Files.createSymbolicLink(this.directoryPath.resolve("dangling"), target);
		assertThatExceptionOfType(SharedMemoryExistsException.class)
			.isThrownBy(() -> this.directory.create("dangling", 16));
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("dangling"))
			.withMessageContaining("'dangling'");
		assertThat(target).doesNotExist();
		assertUntouched();
	}

	@Test
	void symlinkToADirectoryOutsideIsNeverEntered() throws Exception {
		Files.createSymbolicLink(this.directoryPath.resolve("sub"), this.outside);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("sub"))
			.withMessageContaining("'sub'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.directory.attach("sub/canary"));
		assertThatIllegalArgumentException().isThrownBy(() -> this.directory.create("sub/new", 16));
		assertThatIllegalArgumentException().isThrownBy(() -> this.directory.unlink("sub/canary"));
		try (var files = Files.list(this.outside)) {
			assertThat(files).containsExactly(this.canary);
		}
		assertUntouched();
	}

	@Test
	void unlinkOfAPlantedSymlinkRemovesTheLinkOnly() throws Exception {
		Path link = Files.createSymbolicLink(this.directoryPath.resolve("evil"), this.canary);
		assertThat(this.directory.exists("evil")).isTrue();
		this.directory.unlink("evil");
		assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
		assertUntouched();
	}

	@Test
	void generatedNamesAreAlwaysDirectChildren() throws Exception {
		for (int i = 0; i < 50; i++) {
			try (SharedMemory block = this.directory.create(1)) {
				assertThat(this.directoryPath.resolve(block.name()).getParent()).isEqualTo(this.directoryPath);
				block.unlink();
			}
		}
		assertUntouched();
	}

	private void assertUntouched() throws Exception {
		assertThat(this.canary).hasContent(CANARY_TEXT);
		assertThat(this.root.resolve("canary")).hasContent(CANARY_TEXT);
		try (var files = Files.list(this.root)) {
			assertThat(files.map((file) -> file.getFileName().toString())).containsExactlyInAnyOrder("shm", "outside",
					"canary");
		}
	}

}
