package dev.sharedmemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;

import dev.sharedmemory.ownership.OwnerRecords;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a {@link SharedMemoryManager} notices, through its directory watcher, a
 * block it tracks that someone else unlinked or replaced: it stops tracking it, logs a
 * warning, counts it and tells its listeners. And that what the manager does itself
 * (unlink, shutdown) and what this process does through a block's own handle are never
 * reported. A test that must show that nothing was reported deletes a sentinel block last
 * and waits for its report: the watcher handles events in order, so every earlier one was
 * handled by then.
 */
class BlockLossTests {

	@TempDir
	Path path;

	@RegisterExtension
	final Managers managers = new Managers();

	@RegisterExtension
	final CapturedLog log = new CapturedLog(SharedMemoryManager.class);

	private final List<LostBlock> lost = new CopyOnWriteArrayList<>();

	private SharedMemoryDirectory directory;

	@BeforeEach
	void setUp() {
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void aBlockUnlinkedBehindTheManagersBackIsReportedCountedAndNoLongerListed() throws Exception {
		SharedMemoryManager manager = started(DirectoryWatcher.Mode.WATCH);
		SharedMemory kept = manager.sharedMemory(64);
		SharedMemory gone = manager.sharedMemory(4096);
		gone.buf().putInt(0, 42);
		Files.delete(this.path.resolve(gone.name()));
		await().until(() -> !this.lost.isEmpty());
		assertThat(this.lost)
			.containsExactly(new LostBlock(gone.name(), 4096, BlockKind.SHARED_MEMORY, LostBlock.Reason.UNLINKED));
		assertThat(manager.lostBlocks()).isEqualTo(1);
		assertThat(manager.blocks()).extracting(ManagedBlock::name).containsExactly(kept.name());
		assertThat(manager.block(gone.name())).isEmpty();
		assertThat(manager.blockCount()).isEqualTo(1);
		assertThat(manager.totalBytes()).isEqualTo(64);
		// The owner record names what the manager tracks: a reclaim after a crash looks
		// for the kept block only.
		assertThat(OwnerRecords.blockNames(Managers.ownerRecord(manager))).containsExactly(kept.name());
		assertThat(this.log.messages(Level.WARNING)).singleElement()
			.asString()
			.startsWith("Shared memory block '" + gone.name() + "' (SharedMemory, 4096 bytes) in " + this.path
					+ " was unlinked by another process, not by this manager")
			.contains("CPython 3.8 to 3.13", "SharedMemory(name, track=False) (3.13 and later)",
					"resource_tracker.unregister(shm._name, \"shared_memory\")", "ShareableList, on its .shm");
		// The handle the application holds still reaches the memory, until shutdown
		// closes it.
		assertThat(gone.buf().getInt(0)).isEqualTo(42);
		assertThat(manager.unlink(gone.name())).isFalse();
		manager.shutdown();
		assertThat(gone.isClosed()).isTrue();
		assertThat(Managers.blockFiles(this.path)).isEmpty();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(2);
		assertThat(manager.lostBlocks()).isEqualTo(1);
	}

	@Test
	void aListReplacedByAnotherFileIsReportedAndTheNewFileIsLeftAlone() throws Exception {
		SharedMemoryManager manager = started(DirectoryWatcher.Mode.WATCH);
		ShareableList list = manager.shareableList(List.of("job", 7L));
		String name = list.shm().name();
		// Moved over the block's name in one step: no deletion of that name is ever seen,
		// only the new file.
		Path replacement = Files.writeString(this.path.resolve("replacement.tmp"), "not a list");
		Files.move(replacement, this.path.resolve(name), StandardCopyOption.ATOMIC_MOVE,
				StandardCopyOption.REPLACE_EXISTING);
		await().until(() -> !this.lost.isEmpty());
		assertThat(this.lost).containsExactly(
				new LostBlock(name, list.shm().size(), BlockKind.SHAREABLE_LIST, LostBlock.Reason.REPLACED));
		assertThat(this.log.messages(Level.WARNING)).singleElement()
			.asString()
			.contains("'" + name + "' (ShareableList, " + list.shm().size() + " bytes)",
					"was replaced by another file of the same name");
		assertThat(manager.blocks()).isEmpty();
		manager.shutdown();
		assertThat(this.path.resolve(name)).hasContent("not a list");
		assertThat(list.shm().isClosed()).isTrue();
		Files.delete(this.path.resolve(name));
	}

	@Test
	void theManagersOwnUnlinksAndShutdownAreNeverReported() throws Exception {
		SharedMemoryManager manager = started(DirectoryWatcher.Mode.WATCH);
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			names.add(manager.sharedMemory(8).name());
			if (i % 2 == 1) {
				assertThat(manager.unlink(names.get(i - 1))).isTrue();
			}
		}
		String first = awaitSentinel(manager);
		manager.shutdown();
		// A new run, a new watcher: had anything of the shutdown been reported, it would
		// be there before this.
		manager.start();
		String second = awaitSentinel(manager);
		assertThat(this.lost).extracting(LostBlock::name).containsExactly(first, second);
		assertThat(manager.lostBlocks()).isEqualTo(2);
		// 100 one by one, 100 at shutdown; the sentinels by nobody here.
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(200);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isZero();
		assertThat(this.log.messages(Level.WARNING)).hasSize(2);
	}

	@Test
	void aBlockUnlinkedThroughItsOwnHandleIsDroppedQuietly() throws Exception {
		SharedMemoryManager manager = started(DirectoryWatcher.Mode.WATCH);
		SharedMemory block = manager.sharedMemory(32);
		block.unlink();
		String sentinel = awaitSentinel(manager);
		assertThat(this.lost).extracting(LostBlock::name).containsExactly(sentinel);
		assertThat(manager.lostBlocks()).isEqualTo(1);
		assertThat(manager.blocks()).isEmpty();
		assertThat(this.log.messages(Level.WARNING)).singleElement().asString().contains(sentinel);
		manager.shutdown();
		assertThat(block.isClosed()).isTrue();
	}

	@Test
	void whereTheDirectoryIsNotWatchedBlocksAreCheckedPeriodically() throws Exception {
		SharedMemoryManager manager = started(DirectoryWatcher.Mode.POLL);
		SharedMemory block = manager.sharedMemory(16);
		Files.delete(this.path.resolve(block.name()));
		await().until(() -> !this.lost.isEmpty());
		assertThat(this.lost)
			.containsExactly(new LostBlock(block.name(), 16, BlockKind.SHARED_MEMORY, LostBlock.Reason.UNLINKED));
		assertThat(manager.blocks()).isEmpty();
	}

	@Test
	void aListenerThatThrowsIsLoggedAndTheOthersAreStillTold() throws Exception {
		SharedMemoryManager manager = this.managers.started(this.directory, (builder) -> builder.listener((block) -> {
			throw new IllegalStateException("listener failed on purpose");
		}).listener(this.lost::add));
		SharedMemory block = manager.sharedMemory(8);
		Files.delete(this.path.resolve(block.name()));
		await().until(() -> !this.lost.isEmpty());
		assertThat(this.lost).extracting(LostBlock::name).containsExactly(block.name());
		assertThat(this.log.messages(Level.WARNING)).hasSize(2)
			.last()
			.asString()
			.contains("BlockListener", "failed on LostBlock[name=" + block.name());
	}

	private SharedMemoryManager started(DirectoryWatcher.Mode mode) {
		return this.managers.started(this.directory, (builder) -> builder.watchMode(mode).listener(this.lost::add));
	}

	/**
	 * Creates a block through the manager, deletes it behind the manager's back and waits
	 * for its report.
	 * @return the sentinel's name
	 */
	private String awaitSentinel(SharedMemoryManager manager) throws Exception {
		String name = manager.sharedMemory(1).name();
		Files.delete(this.path.resolve(name));
		await().until(() -> this.lost.stream().anyMatch((block) -> block.name().equals(name)));
		return name;
	}

}
