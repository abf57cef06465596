package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.EntryCategory;
import dev.sharedmemory.InDevShm;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests the edges of a {@link DirectoryCensusTaker census} that
 * {@link DirectoryCensusTests} does not reach: owners whose liveness cannot be judged, a
 * directory that cannot be listed, an entry whose owner cannot be read after its
 * {@code lstat(2)}, and an undecodable name of a directory.
 */
class DirectoryCensusEdgeTests {

	// Above PID_MAX_LIMIT (2^22): no process ever has this id.
	private static final long IMPOSSIBLE_PID = (1L << 22) + 21;

	@TempDir(factory = InDevShm.class)
	Path root;

	private Path path;

	private SharedMemoryDirectory directory;

	private final ProcessIdentity self = ProcessIdentity.current();

	@BeforeEach
	void setUp() throws IOException {
		this.path = Files.createDirectory(this.root.resolve("shm"));
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void anOwnerWhoseLivenessCannotBeJudgedIsAnotherManagerOfUnknownLife() throws Exception {
		// A record of a version before lock files, from another pid namespace: its pid
		// means another process here.
		this.directory.create("container", 4096).close();
		withoutLockFile(identity("pid:[1]"), "container");
		// One that does not say its pid namespace at all.
		this.directory.create("unsaid", 4096).close();
		withoutLockFile(identity(null), "unsaid");

		DirectoryCensus census = this.directory.census();

		assertThat(entry(census, "container").category()).isEqualTo(EntryCategory.OTHER_MANAGER);
		assertThat(entry(census, "container").owner())
			.isEqualTo(new DirectoryEntry.Owner(IMPOSSIBLE_PID, "ghost", false, null));
		assertThat(entry(census, "unsaid").category()).isEqualTo(EntryCategory.OTHER_MANAGER);
		assertThat(entry(census, "unsaid").owner())
			.isEqualTo(new DirectoryEntry.Owner(IMPOSSIBLE_PID, "ghost", null, null));
		assertThat(census.totals(EntryCategory.OTHER_MANAGER).count()).isEqualTo(2);
		assertThat(census.totals(EntryCategory.ORPHANED)).isEqualTo(DirectoryCensus.Totals.NONE);
	}

	@Test
	void aDirectoryThatCannotBeListedIsAnErrorThatNamesIt() {
		Path missing = this.path.resolve("missing");
		DirectoryCensusTaker taker = new DirectoryCensusTaker(missing);

		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(taker::take)
			.withMessageContaining("Cannot take a census of " + missing);
	}

	@Test
	void aDirectoryWhoseNameStartsUndecodableHasItsRawNameWithoutASlash() throws Exception {
		// Not UTF-8: the JVM cannot make such a name from a String, Python makes it from
		// bytes.
		Process python = new ProcessBuilder("python3", "-c",
				"import os, sys; os.mkdir(sys.argv[1].encode() + b'/\\xff-dir')", this.path.toString())
			.inheritIO()
			.start();
		assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(python.exitValue()).isZero();

		DirectoryEntry entry = this.directory.census().entries().get(0);

		assertThat(entry.name()).isEqualTo("\uFFFD-dir");
		assertThat(entry.rawName()).isEqualTo("%FF-dir");
		assertThat(entry.type()).isEqualTo(DirectoryEntry.Type.DIRECTORY);
		assertThat(entry.category()).isEqualTo(EntryCategory.NOT_A_BLOCK);
	}

	private ProcessIdentity identity(String pidNamespace) {
		return new ProcessIdentity(IMPOSSIBLE_PID, 1, this.self.bootId(), pidNamespace, this.self.uid(), "ghost");
	}

	/**
	 * Writes a record of one block as a version before lock files left it.
	 */
	private void withoutLockFile(ProcessIdentity owner, String block) throws IOException {
		OwnerRecord record = OwnerRecord.in(this.path, owner);
		Path file = this.path.resolve(block);
		record.add(block, Files.size(file),
				((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue());
		record.abandon();
		Files.delete(record.lockFile());
	}

	private static DirectoryEntry entry(DirectoryCensus census, String name) {
		return census.entries().stream().filter((entry) -> entry.name().equals(name)).findFirst().orElseThrow();
	}

}
