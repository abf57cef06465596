package dev.sharedmemory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.sharedmemory.ownership.OwnerRecords;
import dev.sharedmemory.protocol.Peer;
import dev.sharedmemory.protocol.SegmentRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SharedMemoryManager#segmentRegistry()}: blocks that a client of the
 * manager server created are tracked beside the manager's own, known by their inode.
 */
class ManagerSegmentRegistryTests {

	private static final Peer PEER = new Peer("127.0.0.1:40404", null);

	@TempDir(factory = InDevShm.class)
	Path path;

	@RegisterExtension
	final Managers managers = new Managers();

	private SharedMemoryDirectory directory;

	private SharedMemoryManager manager;

	private SegmentRegistry registry;

	@BeforeEach
	void setUp() {
		this.directory = SharedMemoryDirectory.of(this.path);
		// Unwatched: each test says when the manager looks at a file; the watcher's part
		// has a test of its own.
		this.manager = this.managers.started(this.directory,
				(builder) -> Managers.unwatched(builder).reclaimOrphans(false));
		this.registry = this.manager.segmentRegistry();
	}

	@Test
	void aTrackedBlockIsListedWithItsOriginCountedRecordedAndUnlinkedAtShutdown() throws Exception {
		SharedMemory own = this.manager.sharedMemory(100);
		String client = clientBlock("psm_c11e0001", 300);
		this.registry.track(client, PEER);

		assertThat(this.registry.directory()).isEqualTo(this.path);
		assertThat(this.registry.names()).containsExactly(client);
		assertThat(this.manager.blocks()).extracting(ManagedBlock::name, ManagedBlock::size, ManagedBlock::origin)
			.containsExactly(tuple(own.name(), 100L, null), tuple(client, 300L, "127.0.0.1:40404"));
		assertThat(this.manager.block(client)).hasValueSatisfying((block) -> {
			assertThat(block.kind()).isEqualTo(BlockKind.SHARED_MEMORY);
			assertThat(block.origin()).isEqualTo(PEER.toString());
		});
		assertThat(this.manager.blockCount()).isEqualTo(2);
		assertThat(this.manager.totalBytes()).isEqualTo(400);
		assertThat(OwnerRecords.blockNames(Managers.ownerRecord(this.manager))).containsExactlyInAnyOrder(own.name(),
				client);

		this.manager.shutdown();
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void aTrackedBlockIsInTheOwnerRecordForAReclaimAfterACrashUntilReleased() throws Exception {
		String client = clientBlock("psm_c11e0010", 300);
		String kept = clientBlock("psm_c11e0011", 8);
		this.registry.track(client, PEER);
		this.registry.track(kept, PEER);
		Path record = Managers.ownerRecord(this.manager);
		// Should the application die now, a reclaim unlinks the client's block as one of
		// its own: the record has its inode and size.
		assertThat(OwnerRecords.reclaims(record, clientFile(client))).isTrue();
		assertThat(OwnerRecords.reclaims(record, clientFile(kept))).isTrue();

		this.registry.release(client);
		assertThat(OwnerRecords.blockNames(record)).containsExactly(kept);
	}

	@Test
	void aBlockTrackedAnewUnderItsNameIsRecordedWithItsNewFile() throws Exception {
		String client = clientBlock("psm_c11e0012", 8);
		this.registry.track(client, PEER);
		Files.delete(clientFile(client));
		Files.write(clientFile(client), new byte[16]);
		Path record = Managers.ownerRecord(this.manager);
		// The record still names the file that was: a reclaim would leave the new one.
		assertThat(OwnerRecords.reclaims(record, clientFile(client))).isFalse();
		this.registry.track(client, PEER);
		assertThat(OwnerRecords.reclaims(record, clientFile(client))).isTrue();
	}

	@Test
	void trackingTheSameBlockTwiceTracksItOnce() throws Exception {
		String client = clientBlock("psm_c11e0002", 64);
		this.registry.track(client, PEER);
		this.registry.track("/" + client, new Peer("127.0.0.1:1", null));
		assertThat(this.manager.blocks()).singleElement()
			.satisfies((block) -> assertThat(block.origin()).isEqualTo(PEER.toString()));
	}

	@Test
	void onlyARegularFileOfTheDirectoryIsTracked() throws Exception {
		Files.createDirectory(this.path.resolve("adir"));
		Files.createSymbolicLink(this.path.resolve("alink"), clientFile(clientBlock("psm_c11e0003", 8)));
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.track("psm_missing", PEER))
			.withMessage("No shared memory block 'psm_missing' in " + this.path + " to track");
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.track("adir", PEER))
			.withMessageContaining("'adir'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.track("alink", PEER))
			.withMessageContaining("'alink'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.track("../etc", PEER));
		assertThat(this.manager.blocks()).isEmpty();
	}

	@Test
	void trackingNeedsARunningManager() throws Exception {
		String client = clientBlock("psm_c11e0004", 8);
		this.manager.shutdown();
		assertThatIllegalStateException().isThrownBy(() -> this.registry.track(client, PEER))
			.withMessageContaining("is not running");
		assertThat(clientFile(client)).exists();
	}

	@Test
	void releaseUnlinksATrackedBlockOnceAndNeverTheManagersOwnNorAnUntrackedOne() throws Exception {
		SharedMemory own = this.manager.sharedMemory(100);
		String untracked = clientBlock("psm_c11e0005", 8);
		String client = clientBlock("psm_c11e0006", 8);
		this.registry.track(client, PEER);

		this.registry.release(client);
		this.registry.release(client);
		this.registry.release(own.name());
		this.registry.release(untracked);

		assertThat(clientFile(client)).doesNotExist();
		assertThat(clientFile(own.name())).exists();
		assertThat(clientFile(untracked)).exists();
		assertThat(this.manager.blocks()).extracting(ManagedBlock::name).containsExactly(own.name());
		assertThat(OwnerRecords.blockNames(Managers.ownerRecord(this.manager))).containsExactly(own.name());
	}

	@Test
	void releaseAllUnlinksTheTrackedBlocksOnly() throws Exception {
		SharedMemory own = this.manager.sharedMemory(100);
		String first = clientBlock("psm_c11e0007", 8);
		String second = clientBlock("psm_c11e0008", 8);
		this.registry.track(first, PEER);
		this.registry.track(second, PEER);
		this.registry.releaseAll();
		assertThat(Managers.blockFiles(this.path)).containsExactly(own.name());
		assertThat(this.registry.names()).isEmpty();
	}

	@Test
	void theEndpointsUnlinkOfATrackedBlockUnlinksIt() throws Exception {
		String client = clientBlock("psm_c11e0009", 8);
		this.registry.track(client, PEER);
		assertThat(this.manager.unlink(client)).isTrue();
		assertThat(clientFile(client)).doesNotExist();
		assertThat(this.manager.blocks()).isEmpty();
		assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
	}

	@Test
	void aBlockItsClientUnlinkedIsDroppedQuietlyAndAFileThatTookItsNameIsNeverUnlinked() throws Exception {
		String unlinked = clientBlock("psm_c11e000a", 8);
		String replaced = clientBlock("psm_c11e000b", 8);
		this.registry.track(unlinked, PEER);
		this.registry.track(replaced, PEER);
		// What Python's resource tracker does at its client's exit; then someone else
		// takes one of the names.
		Files.delete(clientFile(unlinked));
		Files.delete(clientFile(replaced));
		Files.write(clientFile(replaced), new byte[8]);

		assertThat(this.registry.names()).isEmpty();
		assertThat(this.manager.blocks()).isEmpty();
		assertThat(OwnerRecords.blockNames(Managers.ownerRecord(this.manager))).isEmpty();
		this.registry.release(replaced);
		this.manager.shutdown();
		assertThat(Managers.blockFiles(this.path)).containsExactly(replaced);
	}

	@Test
	void aReplacedFileIsNotUnlinkedAtShutdownEvenWhenStillListed() throws Exception {
		String client = clientBlock("psm_c11e000c", 8);
		this.registry.track(client, PEER);
		Files.delete(clientFile(client));
		Files.write(clientFile(client), new byte[8]);
		// Nothing has looked since: the manager still lists the block it tracked.
		assertThat(this.manager.blocks()).extracting(ManagedBlock::name).containsExactly(client);
		this.manager.shutdown();
		assertThat(clientFile(client)).exists();
		assertThat(Managers.recordFiles(this.path)).isEmpty();
	}

	@Test
	void aNewFileUnderATrackedNameIsTrackedAnew() throws Exception {
		String client = clientBlock("psm_c11e000d", 8);
		this.registry.track(client, PEER);
		Files.delete(clientFile(client));
		Files.write(clientFile(client), new byte[16]);
		this.registry.track(client, new Peer("127.0.0.1:2", null));
		assertThat(this.manager.blocks()).singleElement().satisfies((block) -> {
			assertThat(block.size()).isEqualTo(16);
			assertThat(block.origin()).isEqualTo("127.0.0.1:2");
		});
		this.manager.shutdown();
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void trackingTheManagersOwnBlockLeavesItTheManagers() {
		SharedMemory own = this.manager.sharedMemory(100);
		this.registry.track(own.name(), PEER);
		assertThat(this.manager.blocks()).singleElement().satisfies((block) -> assertThat(block.origin()).isNull());
		assertThat(this.registry.names()).isEmpty();
		this.registry.releaseAll();
		assertThat(clientFile(own.name())).exists();
	}

	@Test
	void theWatcherDropsABlockItsClientUnlinkedQuietlyNotAsLost() {
		SharedMemoryManager watched = this.managers.started(this.directory, (builder) -> builder.reclaimOrphans(false));
		String client = clientBlock("psm_c11e000e", 8);
		watched.segmentRegistry().track(client, PEER);
		assertThat(watched.blocks()).hasSize(1);
		this.directory.unlink(client);
		await().atMost(Duration.ofSeconds(30)).until(() -> watched.blocks().isEmpty());
		assertThat(watched.lostBlocks()).isZero();
	}

	/** Creates a block as a Python client does: in the directory, through no manager. */
	private String clientBlock(String name, long size) {
		this.directory.create(name, size).close();
		return name;
	}

	private Path clientFile(String name) {
		return this.path.resolve(name);
	}

}
