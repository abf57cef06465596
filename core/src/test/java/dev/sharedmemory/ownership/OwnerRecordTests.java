package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sharedmemory.InvalidShareableListException;
import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.Managers;
import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryNotFoundException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests the owner record a {@link SharedMemoryManager} keeps of its blocks: it names
 * exactly what the manager tracks, at every moment; it is mode {@code 0600}; it stays
 * small whatever the churn; and a shutdown leaves none behind.
 */
class OwnerRecordTests {

	@TempDir
	Path path;

	@RegisterExtension
	final Managers managers = new Managers();

	private SharedMemoryDirectory directory;

	@BeforeEach
	void setUp() {
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void theRecordAppearsWithTheFirstBlockAndNamesWhatTheManagerTracks() throws Exception {
		SharedMemoryManager manager = started(true);
		Path record = Managers.ownerRecord(manager);
		assertThat(record).doesNotExist();
		assertThat(record.getFileName().toString()).matches("\\.psm-owner-" + ProcessHandle.current().pid() + "-"
				+ ProcessIdentity.current().startTime() + "-[0-9a-f]{8}");
		SharedMemory first = manager.sharedMemory(100);
		SharedMemory second = manager.sharedMemory(200);
		OwnerRecord.Contents contents = OwnerRecord.read(record);
		assertThat(contents.owner()).isEqualTo(ProcessIdentity.current());
		assertThat(contents.blocks()).containsExactly(Map.entry(first.name(), entry(first)),
				Map.entry(second.name(), entry(second)));
		manager.unlink(first.name());
		assertThat(OwnerRecord.read(record).blocks()).containsOnlyKeys(second.name());
		assertThat(Files.readString(record)).startsWith(OwnerRecord.MAGIC + "\npid " + ProcessHandle.current().pid()
				+ "\nstart " + ProcessIdentity.current().startTime() + "\n");
	}

	@Test
	void recordsAndBlocksAreMode0600() throws Exception {
		SharedMemoryManager manager = started(true);
		SharedMemory block = manager.sharedMemory(10);
		assertThat(Files.getPosixFilePermissions(Managers.ownerRecord(manager), LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Files.getPosixFilePermissions(this.path.resolve(block.name()), LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(Files.getPosixFilePermissions(lockFile(manager), LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		// Rewritten records are made the same way.
		for (int i = 0; i < 1100; i++) {
			manager.unlink(manager.sharedMemory(1).name());
		}
		assertThat(Files.getPosixFilePermissions(Managers.ownerRecord(manager), LinkOption.NOFOLLOW_LINKS))
			.isEqualTo(PosixFilePermissions.fromString("rw-------"));
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks()).containsOnlyKeys(block.name());
	}

	@Test
	void shareableListsAreRecordedToo() throws Exception {
		SharedMemoryManager manager = started(true);
		ShareableList list = manager.shareableList(List.of(1L, "two"));
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks()).containsOnlyKeys(list.shm().name());
	}

	@Test
	void shutdownLeavesNoRecordBehind() {
		SharedMemoryManager manager = started(true);
		manager.sharedMemory(10);
		Path record = Managers.ownerRecord(manager);
		assertThat(record).exists();
		assertThat(lockFile(manager)).exists();
		manager.shutdown();
		assertThat(record).doesNotExist();
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void blocksHandedOverAtShutdownAreNotRecordedAsOrphans() throws Exception {
		SharedMemoryManager handing = started(false);
		SharedMemory kept = handing.sharedMemory(10);
		Path record = Managers.ownerRecord(handing);
		handing.shutdown();
		assertThat(record).doesNotExist();
		SharedMemoryManager next = started(true);
		assertThat(next.reclaimedBlocks()).isZero();
		assertThat(this.directory.exists(kept.name())).isTrue();
		this.directory.unlink(kept.name());
	}

	@Test
	void blocksThatCouldNotBeUnlinkedAtShutdownStayRecorded() throws Exception {
		// Unwatched: a watching manager would notice the replaced block and stop tracking
		// it.
		SharedMemoryManager manager = this.managers.started(this.directory, Managers::unwatched);
		SharedMemory stuck = manager.sharedMemory(10);
		SharedMemory fine = manager.sharedMemory(10);
		Path record = Managers.ownerRecord(manager);
		Path file = this.path.resolve(stuck.name());
		Files.delete(file);
		Files.createDirectory(file);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(manager::shutdown);
		assertThat(OwnerRecord.read(record).blocks()).containsOnlyKeys(stuck.name());
		assertThat(this.directory.exists(fine.name())).isFalse();
		Files.delete(file);
	}

	@Test
	void aRestartedManagerKeepsANewRecord() {
		SharedMemoryManager manager = started(true);
		manager.sharedMemory(10);
		Path first = Managers.ownerRecord(manager);
		manager.shutdown();
		manager.start();
		manager.sharedMemory(10);
		assertThat(Managers.ownerRecord(manager)).exists().isNotEqualTo(first);
		assertThat(first).doesNotExist();
	}

	@Test
	void aFailedCreateLeavesTheRecordAsItWas() throws Exception {
		SharedMemoryManager manager = started(true);
		SharedMemory block = manager.sharedMemory(10);
		String before = Files.readString(Managers.ownerRecord(manager));
		assertThatIllegalArgumentException().isThrownBy(() -> manager.sharedMemory(0));
		assertThatIllegalArgumentException().isThrownBy(() -> manager.shareableList(List.of(new Object())));
		assertThat(Files.readString(Managers.ownerRecord(manager))).isEqualTo(before);
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks()).containsOnlyKeys(block.name());
	}

	@Test
	void noDescriptorOutlivesACompactionOrAFailedCreateOrAttach() throws Exception {
		SharedMemoryManager manager = started(true);
		SharedMemory first = manager.sharedMemory(10);
		// From the first block on, the record holds its lock file and its append channel
		// open: two descriptors.
		long open = openDescriptorsIn(this.path);
		for (int i = 0; i < 3_000; i++) {
			// Each pair adds two lines and leaves one block: a compaction every thousand
			// lines or so.
			manager.unlink(manager.sharedMemory(1).name());
		}
		assertThat(openDescriptorsIn(this.path)).as("descriptors after 3,000 creates and unlinks").isEqualTo(open);
		Path taken = Files.createDirectory(this.path.resolve("taken"));
		for (int i = 0; i < 100; i++) {
			assertThatExceptionOfType(SharedMemoryException.class)
				.isThrownBy(() -> this.directory.create(taken.getFileName().toString(), 10));
			assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> manager.attach("missing"));
			try (SharedMemory attached = manager.attach(first.name())) {
				// Ten zero bytes: no list.
				assertThatExceptionOfType(InvalidShareableListException.class)
					.isThrownBy(() -> ShareableList.of(attached));
			}
		}
		assertThat(openDescriptorsIn(this.path)).as("descriptors after 300 failed creates and attaches")
			.isEqualTo(open);
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks()).containsOnlyKeys(first.name());
	}

	@Test
	void noDescriptorOutlivesAShutdownButTheLockOfARecordThatStays() throws Exception {
		SharedMemoryManager manager = this.managers.started(this.directory, Managers::unwatched);
		long open = openDescriptorsIn(this.path);
		for (int i = 0; i < 20; i++) {
			manager.sharedMemory(10);
			manager.shutdown();
			manager.start();
		}
		assertThat(openDescriptorsIn(this.path)).as("descriptors after 20 runs").isEqualTo(open);
		SharedMemory stuck = manager.sharedMemory(10);
		Path file = this.path.resolve(stuck.name());
		Files.delete(file);
		Files.createDirectory(file);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(manager::shutdown);
		// The record stays, and its lock with it: its owner lives.
		assertThat(openDescriptorsIn(this.path)).as("descriptors after a shutdown that left a block")
			.isEqualTo(open + 1);
		Files.delete(file);
	}

	@Test
	void aCreateRefusedForSpaceOrAnAttachRefusedLeavesNoRecordLineNorDescriptor() throws Exception {
		SharedMemoryManager manager = started(true);
		SharedMemory first = manager.sharedMemory(10);
		long open = openDescriptorsIn(this.path);
		// Refused once recorded, when its pages are reserved.
		long tooLarge = Files.getFileStore(this.path).getUsableSpace() + (1L << 30);
		for (int i = 0; i < 10; i++) {
			assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> manager.sharedMemory(tooLarge));
		}
		Files.createFile(this.path.resolve("empty"));
		for (int i = 0; i < 10; i++) {
			// Opened, then refused.
			assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> this.directory.attach("empty"))
				.withMessageContaining("it is empty");
		}
		Files.delete(this.path.resolve("empty"));
		assertThat(openDescriptorsIn(this.path)).as("descriptors after 10 refused creates and attaches")
			.isEqualTo(open);
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks()).containsOnlyKeys(first.name());
		assertThat(Managers.blockFiles(this.path)).containsExactly(first.name());
	}

	/**
	 * Counts this JVM's descriptors of files in the given directory: only those, because
	 * the garbage collector may close a descriptor that an earlier test left in the JVM
	 * at any moment of this one.
	 */
	private static long openDescriptorsIn(Path directory) throws IOException {
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.map(OwnerRecordTests::targetOrNull)
				.filter((target) -> target != null && target.startsWith(directory))
				.count();
		}
	}

	private static @Nullable Path targetOrNull(Path descriptor) {
		try {
			return Files.readSymbolicLink(descriptor);
		}
		catch (IOException ex) {
			// Closed since it was listed (such as the listing's own).
			return null;
		}
	}

	@Test
	void theRecordStaysSmallAndExactUnderChurn() throws Exception {
		SharedMemoryManager manager = started(true);
		Random random = new Random(42);
		List<String> live = new ArrayList<>();
		long largest = 0;
		for (int i = 0; i < 20_000; i++) {
			if (live.size() < 100 || (live.size() < 400 && random.nextBoolean())) {
				live.add(manager.sharedMemory(1).name());
			}
			else {
				assertThat(manager.unlink(live.remove(random.nextInt(live.size())))).isTrue();
			}
			largest = Math.max(largest, Files.size(Managers.ownerRecord(manager)));
		}
		assertThat(OwnerRecord.read(Managers.ownerRecord(manager)).blocks().keySet())
			.isEqualTo(manager.blocks().stream().map(ManagedBlock::name).collect(Collectors.toSet()))
			.containsExactlyInAnyOrderElementsOf(live);
		// At most twice the live blocks and the slack, at about 30 bytes a line; never
		// the whole history.
		assertThat(largest).isLessThan((2 * 400 + 1024 + 2) * 40);
		assertThat(onlyRecordIn(this.path)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "psm_1a2b3c4d", "a b", "100%", "é€", "line\nbreak", "tab\tx", "-", "+", "\u007f" })
	void namesRoundTripThroughTheRecord(String name) {
		String encoded = OwnerRecord.encode(name);
		assertThat(encoded).matches("[!-~]+").doesNotContain(" ");
		assertThat(OwnerRecord.decode(encoded)).isEqualTo(name);
	}

	@Test
	void blocksWithAnyNameAreRecordedAndReclaimed() throws Exception {
		ProcessIdentity self = ProcessIdentity.current();
		ProcessIdentity dead = new ProcessIdentity((1L << 22) + 1, 1, self.bootId(), self.pidNamespace(), self.uid(),
				"ghost");
		OwnerRecord record = OwnerRecord.in(this.path, dead);
		List<String> names = List.of("a b", "100%", "é€", "line\nbreak", "- x", "+ y 1 2");
		for (String name : names) {
			this.directory.create(name, 3).close();
			record.add(name, 3, this.path.resolve(name));
		}
		record.abandon();
		SharedMemoryManager manager = this.managers.manager(this.directory);
		assertThat(manager.reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name)
			.containsExactlyInAnyOrderElementsOf(names);
		record.delete();
		assertThat(this.path).isEmptyDirectory();
	}

	private boolean onlyRecordIn(Path directory) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.map(Path::getFileName)
				.map(Path::toString)
				.filter((name) -> name.startsWith(OwnerRecord.FILE_PREFIX))
				.count() == 1;
		}
	}

	private static Path lockFile(SharedMemoryManager manager) {
		Path record = Managers.ownerRecord(manager);
		return record.resolveSibling(OwnerRecord.lockFileName(record.getFileName().toString()));
	}

	private OwnerRecord.Entry entry(SharedMemory block) throws IOException {
		long inode = (Long) Files.getAttribute(this.path.resolve(block.name()), "unix:ino");
		return new OwnerRecord.Entry(block.size(), inode);
	}

	private SharedMemoryManager started(boolean unlinkOnShutdown) {
		return this.managers.started(this.directory, (builder) -> builder.unlinkOnShutdown(unlinkOnShutdown));
	}

}
