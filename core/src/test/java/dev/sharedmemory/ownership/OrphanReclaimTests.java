package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.InDevShm;
import dev.sharedmemory.Managers;
import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that {@link SharedMemoryManager#reclaimOrphans()} unlinks the blocks named by
 * records of dead owners, and nothing else: not the blocks of a live owner, of this
 * process, of another user, nor a block no record names, nor a file that took a recorded
 * name later, nor anything outside the directory. Owners are faked: records written by
 * the production writer whose lock is then let go of, as a death does (whatever pid
 * namespace they claim), and records without a lock file, as versions before lock files
 * wrote them, judged by pid and start time: a pid that cannot exist, this process's pid
 * with another start time, a real child process, another pid namespace.
 */
class OrphanReclaimTests {

	// Above PID_MAX_LIMIT (2^22): no process ever has this id.
	private static final long IMPOSSIBLE_PID = (1L << 22) + 1;

	private static final int NOBODY = 65534;

	// On a tmpfs, as blocks are: its inode numbers are never reused, which is what tells
	// a block from a later file.
	@TempDir(factory = InDevShm.class)
	Path root;

	private Path path;

	private SharedMemoryDirectory directory;

	private final ProcessIdentity self = ProcessIdentity.current();

	@RegisterExtension
	final Managers managers = new Managers();

	@RegisterExtension
	final CapturedLog log = new CapturedLog(OrphanReclaimer.class);

	@BeforeEach
	void setUp() throws IOException {
		this.path = Files.createDirectory(this.root.resolve("shm"));
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void blocksOfADeadOwnerAreUnlinkedExactlyAndItsRecordRemoved() throws Exception {
		ProcessIdentity dead = identity(IMPOSSIBLE_PID, 4242);
		List<String> orphans = List.of(block("orphan-a", 100), block("orphan-b", 4096), block("psm_0badf00d", 5000));
		Path record = record(dead, orphans);
		String foreign = block("psm_12345678", 64);
		SharedMemoryManager manager = manager();

		ReclaimedOrphans reclaimed = manager.reclaimOrphans();

		assertThat(reclaimed.blocks()).containsExactlyInAnyOrder(
				new ReclaimedOrphans.Block("orphan-a", 100, IMPOSSIBLE_PID),
				new ReclaimedOrphans.Block("orphan-b", 4096, IMPOSSIBLE_PID),
				new ReclaimedOrphans.Block("psm_0badf00d", 5000, IMPOSSIBLE_PID));
		assertThat(reclaimed.blockCount()).isEqualTo(3);
		assertThat(reclaimed.totalBytes()).isEqualTo(9196);
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(files()).containsExactly(foreign);
		assertThat(record).doesNotExist();
		assertThat(manager.reclaimedBlocks()).isEqualTo(3);
		assertThat(manager.reclaimedBytes()).isEqualTo(9196);
		ReclaimedOrphans again = manager.reclaimOrphans();
		assertThat(again.blocks()).isEmpty();
		assertThat(again.records()).isZero();
		assertThat(manager.reclaimedBlocks()).isEqualTo(3);
	}

	@Test
	void aReclaimTellsTheOperatorWhatItUnlinkedOfWhichDeadProcess() throws Exception {
		ProcessIdentity dead = identity(IMPOSSIBLE_PID, 4242);
		record(dead, List.of(block("orphan-a", 100), block("orphan-b", 4096)));
		SharedMemoryManager manager = manager();
		manager.reclaimOrphans();
		assertThat(this.log.messages(Level.INFO)).containsExactly(
				"Reclaimed 2 orphaned shared memory blocks (4196 bytes) in " + this.path + " left by process "
						+ IMPOSSIBLE_PID + " (user ghost), which is gone: orphan-a (100 bytes), orphan-b (4096 bytes)");
		// Nothing reclaimed, nothing said.
		manager.reclaimOrphans();
		assertThat(this.log.messages(Level.INFO)).hasSize(1);
		assertThat(this.log.warnings()).isEmpty();
	}

	@Test
	void aReclaimOfManyBlocksNamesTheFirstHundredAndCountsTheRest() throws Exception {
		// Owners in the order of their keys, which start with the pid.
		record(identity(IMPOSSIBLE_PID, 4242), blocks("first", 100));
		record(identity(IMPOSSIBLE_PID + 1, 4242), blocks("second", 101));
		manager().reclaimOrphans();
		assertThat(this.log.messages(Level.INFO)).hasSize(2)
			.anySatisfy((message) -> assertThat(message)
				.startsWith("Reclaimed 100 orphaned shared memory blocks (100 bytes) in ")
				.contains(": first-000 (1 bytes), first-001 (1 bytes), ")
				.endsWith(", first-099 (1 bytes)"))
			.anySatisfy((message) -> assertThat(message)
				.startsWith("Reclaimed 101 orphaned shared memory blocks (101 bytes) in ")
				.endsWith(", second-099 (1 bytes) and 1 more")
				.doesNotContain("second-100"));
	}

	private List<String> blocks(String prefix, int count) {
		List<String> names = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			names.add(block(String.format("%s-%03d", prefix, i), 1));
		}
		return names;
	}

	@Test
	void aReusedPidIsNotTheOwner() throws Exception {
		// This process's id, but started at another time: the process that recorded it is
		// gone.
		ProcessIdentity earlier = identity(this.self.pid(), this.self.startTime() - 1);
		String orphan = block("orphan", 10);
		withoutLockFile(record(earlier, List.of(orphan)));
		assertThat(manager().reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name)
			.containsExactly(orphan);
		assertThat(files()).isEmpty();
	}

	@Test
	void blocksOfThisProcessAreNeverReclaimed() throws Exception {
		String mine = block("mine", 10);
		Path record = withoutLockFile(record(this.self, List.of(mine)));
		SharedMemoryManager other = started();
		SharedMemory tracked = other.sharedMemory(20);
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(reclaimed.records()).isZero();
		assertThat(files()).containsExactlyInAnyOrder(mine, tracked.name());
		assertThat(record).exists();
		assertThat(Managers.ownerRecord(other)).exists();
	}

	@Test
	void blocksOfALiveProcessStayUntilItDies() throws Exception {
		Process sleeper = new ProcessBuilder("sleep", "300").start();
		try {
			ProcessIdentity live = ProcessIdentity.of(sleeper.pid(), "sleeper");
			String block = block("sleepers", 10);
			Path record = withoutLockFile(record(live, List.of(block)));
			SharedMemoryManager manager = manager();
			assertThat(manager.reclaimOrphans().blocks()).isEmpty();
			assertThat(files()).containsExactly(block);
			assertThat(record).exists();
			sleeper.destroyForcibly();
			assertThat(sleeper.waitFor(1, TimeUnit.MINUTES)).isTrue();
			assertThat(manager.reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name)
				.containsExactly(block);
			assertThat(files()).isEmpty();
			assertThat(record).doesNotExist();
		}
		finally {
			sleeper.destroyForcibly();
		}
	}

	@Test
	void anotherUsersRecordIsLeftAlone() throws Exception {
		String block = block("theirs", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(block));
		chown(record);
		String orphan = block("orphan", 20);
		Path deadOwners = record(identity(IMPOSSIBLE_PID, 2), List.of(orphan));
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		// Only the dead owner's record of this user is cleared, and counted.
		assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(orphan);
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(files()).containsExactly(block);
		assertThat(record).exists();
		assertThat(lockFile(record)).exists();
		assertThat(deadOwners).doesNotExist();
		Files.delete(record);
		Files.delete(lockFile(record));
	}

	@Test
	void anotherUsersBlockIsLeftAloneThoughARecordNamesIt() throws Exception {
		String theirs = block("theirs", 10);
		String orphan = block("orphan", 20);
		record(identity(IMPOSSIBLE_PID, 1), List.of(theirs, orphan));
		chown(this.path.resolve(theirs));
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(orphan);
		assertThat(files()).containsExactly(theirs);
		// The other user's block is no longer the owner's business: the record goes.
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(Managers.recordFiles(this.path)).isEmpty();
	}

	@Test
	void aFileThatTookARecordedNameLaterIsLeftAlone() throws Exception {
		String name = block("reused", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(name));
		this.directory.unlink(name);
		// Someone else's block under the same name: another inode.
		this.directory.create(name, 10).close();
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(files()).containsExactly(name);
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(record).doesNotExist();
		assertThat(lockFile(record)).doesNotExist();
	}

	@Test
	void aFileOfAnotherSizeUnderARecordedNameIsLeftAlone() throws Exception {
		// Whatever the file system: a disk file system may give the new file the old
		// inode number.
		Path disk = Files.createDirectory(Files.createTempDirectory("shared-memory-disk-").resolve("shm"));
		try {
			SharedMemoryDirectory onDisk = SharedMemoryDirectory.of(disk);
			onDisk.create("resized", 10).close();
			OwnerRecord record = OwnerRecord.in(disk, identity(IMPOSSIBLE_PID, 1));
			record.add("resized", 10, (Long) Files.getAttribute(disk.resolve("resized"), "unix:ino"));
			// Its owner dies: held, the lock alone would keep the file, whatever its
			// size.
			record.abandon();
			onDisk.unlink("resized");
			onDisk.create("resized", 20).close();
			ReclaimedOrphans reclaimed = this.managers.manager(onDisk).reclaimOrphans();
			assertThat(reclaimed.blocks()).isEmpty();
			assertThat(onDisk.exists("resized")).isTrue();
			assertThat(reclaimed.records()).isEqualTo(1);
			assertThat(record.file()).doesNotExist();
			assertThat(record.lockFile()).doesNotExist();
			onDisk.unlink("resized");
			record.delete();
		}
		finally {
			Files.delete(disk);
			Files.delete(disk.getParent());
		}
	}

	@Test
	void aBlockWhoseOwnerDiedWhileWritingItsPagesIsReclaimed() throws Exception {
		// Recorded at its full size the moment its name was taken; the owner died before
		// the file reached it.
		String half = block("half-written", 4096);
		OwnerRecord record = OwnerRecord.in(this.path, identity(IMPOSSIBLE_PID, 7));
		record.add(half, 1 << 20, inode(half));
		record.abandon();
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).containsExactly(new ReclaimedOrphans.Block(half, 4096, IMPOSSIBLE_PID));
		assertThat(files()).isEmpty();
	}

	@Test
	void aBlockThatCannotBeUnlinkedKeepsItsRecordAndLockForTheNextTime() throws Exception {
		String stuck = block("stuck", 10);
		String freed = block("freed", 20);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(stuck, freed));
		Path stuckFile = this.path.resolve(stuck);
		// Immutable: not even root can unlink it.
		chattr("+i", stuckFile);
		try {
			ReclaimedOrphans reclaimed = manager().reclaimOrphans();
			assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(freed);
			assertThat(reclaimed.records()).isZero();
			assertThat(files()).containsExactly(stuck);
			assertThat(record).exists();
			assertThat(lockFile(record)).exists();
			assertThat(this.log.warnings()).singleElement()
				.asString()
				.startsWith("Could not reclaim orphaned shared memory block 'stuck' in " + this.path + ": ")
				.contains("Operation not permitted");
		}
		finally {
			chattr("-i", stuckFile);
		}
		ReclaimedOrphans again = manager().reclaimOrphans();
		assertThat(again.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(stuck);
		assertThat(again.records()).isEqualTo(1);
		assertThat(files()).isEmpty();
		assertThat(record).doesNotExist();
		assertThat(lockFile(record)).doesNotExist();
	}

	@Test
	void namesThatAreNoBlocksAreSkippedAndTheRecordCleared() throws Exception {
		// A live manager's record, named with its true inode and any size: an owner file,
		// never a block.
		SharedMemoryManager live = started();
		live.sharedMemory(10);
		String orphan = block("orphan", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(orphan));
		Path liveRecord = Managers.ownerRecord(live);
		long liveInode = ((Number) Files.getAttribute(liveRecord, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
		Files.writeString(record, "+ a/b 10 1\n+ %2E%2E 10 1\n+ " + liveRecord.getFileName() + " " + Long.MAX_VALUE
				+ " " + liveInode + "\n", StandardOpenOption.APPEND);
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(orphan);
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(record).doesNotExist();
		assertThat(liveRecord).exists();
		assertThat(this.root.resolve("b")).doesNotExist();
		// The owner file is no block, but no wrong name either.
		assertThat(this.log.warnings()).hasSize(2)
			.allSatisfy((warning) -> assertThat(warning).startsWith(
					"Owner record of process " + IMPOSSIBLE_PID + " in " + this.path + " names no valid block: "))
			.anySatisfy((warning) -> assertThat(warning).contains("a/b"));
	}

	@Test
	void aTruncatedEscapeInACorruptRecordDoesNotStopStart() throws Exception {
		String orphan = block("orphan", 10);
		String kept = block("kept%4", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(orphan));
		// Lines no writer wrote: truncated and invalid escapes, a number that is none.
		// Each is skipped.
		Files.writeString(record,
				"+ kept%4 10 " + inode(kept) + "\n+ %4 10 1\n+ % 10 1\n- x%\n- x%4\n+ %zz 10 1\n" + "+ kept%254 10 x\n",
				StandardOpenOption.APPEND);
		SharedMemoryManager manager = started();
		assertThat(manager.isRunning()).isTrue();
		assertThat(manager.reclaimedBlocks()).isEqualTo(1);
		assertThat(files()).containsExactly(kept);
		assertThat(record).doesNotExist();
	}

	@Test
	void aRecordedBlockThatIsGoneIsSkippedAndTheRecordRemoved() throws Exception {
		String gone = block("gone", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(gone));
		this.directory.unlink(gone);
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(record).doesNotExist();
	}

	@Test
	void aRecordOfAnEarlierBootIsAnOrphanWhateverItsPid() throws Exception {
		ProcessIdentity earlierBoot = new ProcessIdentity(this.self.pid(), this.self.startTime(),
				"00000000-0000-0000-0000-000000000000", this.self.pidNamespace(), this.self.uid(), "me");
		String block = block("before-reboot", 10);
		withoutLockFile(record(earlierBoot, List.of(block)));
		assertThat(manager().reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(block);
	}

	@Test
	void aRecordOfAnotherPidNamespaceWithoutALockFileIsLeftAlone() throws Exception {
		// Its pid means another process here: a container sharing the directory may still
		// run it.
		String block = block("containers", 10);
		Path record = withoutLockFile(record(otherNamespace(), List.of(block)));
		assertThat(manager().reclaimOrphans().blocks()).isEmpty();
		assertThat(files()).containsExactly(block);
		assertThat(record).exists();
	}

	@Test
	void aRecordOfAnotherPidNamespaceWhoseLockIsFreeIsReclaimed() throws Exception {
		String block = block("restarted-container", 10);
		Path record = record(otherNamespace(), List.of(block));
		Path lock = lockFile(record);
		assertThat(lock).exists();
		assertThat(manager().reclaimOrphans().blocks())
			.containsExactly(new ReclaimedOrphans.Block(block, 10, IMPOSSIBLE_PID));
		assertThat(files()).isEmpty();
		assertThat(record).doesNotExist();
		assertThat(lock).doesNotExist();
	}

	@Test
	void aRecordWhoseLockIsHeldIsLeftAloneWhateverItsPidSays() throws Exception {
		// Held by this JVM through a record that is not abandoned: a pid that cannot
		// exist here is no sign of death.
		String block = block("live-container", 10);
		OwnerRecord live = OwnerRecord.in(this.path, otherNamespace());
		live.add(block, 10, inode(block));
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(reclaimed.records()).isZero();
		assertThat(files()).containsExactly(block);
		assertThat(live.file()).exists();
		assertThat(live.lockFile()).exists();
		live.abandon();
		assertThat(manager().reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(block);
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void aLockFileWithoutARecordIsRemovedOnceFree() throws Exception {
		// Its owner died between taking its lock and writing its record.
		OwnerRecord record = OwnerRecord.in(this.path, otherNamespace());
		String block = block("recorded", 10);
		record.add(block, 10, inode(block));
		Files.delete(record.file());
		assertThat(manager().reclaimOrphans().records()).isZero();
		assertThat(record.lockFile()).exists();
		record.abandon();
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(reclaimed.records()).isZero();
		assertThat(record.lockFile()).doesNotExist();
		assertThat(files()).containsExactly(block);
	}

	@Test
	void aLockFileOfAnotherUserIsNoSignOfLife() throws Exception {
		// Falls back to what the record says, as for a record without a lock file.
		String block = block("orphan", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(block));
		chown(lockFile(record));
		assertThat(manager().reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(block);
		assertThat(record).doesNotExist();
		assertThat(lockFile(record)).exists();
		Files.delete(lockFile(record));
	}

	@Test
	void aRecordWithAnIncompleteHeaderIsRemovedOnceTheOwnerInItsNameIsGone() throws Exception {
		Path deadOwners = this.path.resolve(OwnerRecord.FILE_PREFIX + IMPOSSIBLE_PID + "-7-0a0b0c0d");
		Path ours = this.path
			.resolve(OwnerRecord.FILE_PREFIX + this.self.pid() + "-" + this.self.startTime() + "-0a0b0c0d");
		Path deadTemporary = this.path.resolve(deadOwners.getFileName() + OwnerRecord.TEMPORARY_SUFFIX);
		for (Path record : List.of(deadOwners, ours, deadTemporary)) {
			Files.writeString(record, "shared-memory owner rec");
		}
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.records()).isEqualTo(2);
		assertThat(deadOwners).doesNotExist();
		assertThat(deadTemporary).doesNotExist();
		assertThat(ours).exists();
	}

	@Test
	void aRecordWithAnIncompleteHeaderIsJudgedByItsLockWhenItHasOne() throws Exception {
		// Other namespaces: their names say nothing here, their locks do.
		OwnerRecord live = OwnerRecord.in(this.path, otherNamespace());
		OwnerRecord dead = OwnerRecord.in(this.path, otherNamespace());
		for (OwnerRecord record : List.of(live, dead)) {
			String block = block("b" + record.file().getFileName(), 10);
			record.add(block, 10, inode(block));
			Files.writeString(record.file(), "shared-memory owner rec");
		}
		dead.abandon();
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.records()).isEqualTo(1);
		assertThat(dead.file()).doesNotExist();
		assertThat(dead.lockFile()).doesNotExist();
		assertThat(live.file()).exists();
		assertThat(live.lockFile()).exists();
		live.delete();
		this.directory.unlink("b" + live.file().getFileName());
		this.directory.unlink("b" + dead.file().getFileName());
	}

	@Test
	void onlyWholeLinesCount() throws Exception {
		String whole = block("whole", 10);
		String half = block("half", 10);
		Path record = record(identity(IMPOSSIBLE_PID, 1), List.of(whole));
		// The owner died while appending this line.
		Files.writeString(record, "+ half 10 " + inode(half), StandardOpenOption.APPEND);
		assertThat(manager().reclaimOrphans().blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly(whole);
		assertThat(files()).containsExactly(half);
	}

	@Test
	void aRecordNeverReachesOutsideTheDirectory() throws Exception {
		Path outside = Files.createDirectory(this.root.resolve("outside"));
		Path canary = Files.writeString(outside.resolve("canary"), "canary");
		Path link = Files.createSymbolicLink(this.path.resolve("link"), canary);
		long linkInode = ((Number) Files.getAttribute(link, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
		long canaryInode = ((Number) Files.getAttribute(canary, "unix:ino")).longValue();
		// Written by the production writer, as a dead owner would have; then lines no
		// writer writes.
		OwnerRecord writer = OwnerRecord.in(this.path, identity(IMPOSSIBLE_PID, 1));
		writer.add("../outside/canary", 6, canaryInode);
		writer.add("/" + canary, 6, canaryInode);
		writer.add("link", 6, linkInode);
		writer.add("..", 6, 1);
		writer.add(".", 6, 1);
		writer.add("a\0b", 6, 1);
		writer.retainOnly(List.of("../outside/canary", "/" + canary, "link", "..", ".", "a\0b"));
		writer.abandon();
		Files.writeString(writer.file(), "+ %ZZ 6 1\n+ x notanumber 1\n", StandardOpenOption.APPEND);
		assertThat(OwnerRecord.read(writer.file()).blocks()).containsOnlyKeys("../outside/canary", "/" + canary, "link",
				"..", ".", "a\0b");
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.blocks()).isEmpty();
		assertThat(canary).hasContent("canary");
		assertThat(link).isSymbolicLink();
		assertThat(files()).containsExactly("link");
	}

	@Test
	void aLinkNamedLikeARecordIsNotRead() throws Exception {
		String block = block("orphan", 10);
		Path real = record(identity(IMPOSSIBLE_PID, 1), List.of(block));
		Path elsewhere = Files.move(real, this.root.resolve("elsewhere"));
		Files.createSymbolicLink(this.path.resolve(OwnerRecord.FILE_PREFIX + IMPOSSIBLE_PID + "-1-11111111"),
				elsewhere);
		assertThat(manager().reclaimOrphans().blocks()).isEmpty();
		assertThat(files()).containsExactly(block);
		assertThat(elsewhere).exists();
	}

	@Test
	void startReclaimsUnlessToldNotTo() throws Exception {
		String orphan = block("orphan", 10);
		record(identity(IMPOSSIBLE_PID, 1), List.of(orphan));
		SharedMemoryManager keeping = this.managers.started(this.directory, (builder) -> builder.reclaimOrphans(false));
		assertThat(keeping.reclaimsOrphans()).isFalse();
		assertThat(files()).containsExactly(orphan);
		assertThat(keeping.reclaimedBlocks()).isZero();
		SharedMemoryManager reclaiming = started();
		assertThat(reclaiming.reclaimsOrphans()).isTrue();
		assertThat(files()).isEmpty();
		assertThat(reclaiming.reclaimedBlocks()).isEqualTo(1);
		assertThat(reclaiming.reclaimedBytes()).isEqualTo(10);
	}

	@Test
	void aDirectoryThatDoesNotExistHasNoOrphans() {
		SharedMemoryManager manager = this.managers.manager(SharedMemoryDirectory.of(this.root.resolve("none")));
		assertThat(manager.reclaimOrphans().blocks()).isEmpty();
	}

	@Test
	void manyRecordsOfManyDeadOwnersAreAllReclaimed() throws Exception {
		List<String> orphans = new ArrayList<>();
		for (int owner = 0; owner < 5; owner++) {
			List<String> blocks = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				blocks.add(block("o" + owner + "-" + i, 1 + i));
			}
			record(identity(IMPOSSIBLE_PID + owner, owner), blocks);
			orphans.addAll(blocks);
		}
		ReclaimedOrphans reclaimed = manager().reclaimOrphans();
		assertThat(reclaimed.records()).isEqualTo(5);
		assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name)
			.containsExactlyInAnyOrderElementsOf(orphans);
		assertThat(reclaimed.totalBytes()).isEqualTo(5 * (20 * 21 / 2));
		assertThat(this.path).isEmptyDirectory();
	}

	private ProcessIdentity identity(long pid, long startTime) {
		return new ProcessIdentity(pid, startTime, this.self.bootId(), this.self.pidNamespace(), this.self.uid(),
				"ghost");
	}

	private String block(String name, long size) {
		this.directory.create(name, size).close();
		return name;
	}

	private Path record(ProcessIdentity owner, List<String> blocks) throws IOException {
		OwnerRecord record = OwnerRecord.in(this.path, owner);
		for (String name : blocks) {
			record.add(name, Files.size(this.path.resolve(name)), inode(name));
		}
		record.retainOnly(blocks);
		// As a death leaves it: the files stay, the lock goes.
		record.abandon();
		return record.file();
	}

	/**
	 * Makes a record one of a version before lock files.
	 */
	private static Path withoutLockFile(Path record) throws IOException {
		Files.delete(lockFile(record));
		return record;
	}

	private static Path lockFile(Path record) {
		return record.resolveSibling(OwnerRecord.lockFileName(record.getFileName().toString()));
	}

	private ProcessIdentity otherNamespace() {
		return new ProcessIdentity(IMPOSSIBLE_PID, 1, this.self.bootId(), "pid:[1]", this.self.uid(), "me");
	}

	private long inode(String name) throws IOException {
		return ((Number) Files.getAttribute(this.path.resolve(name), "unix:ino", LinkOption.NOFOLLOW_LINKS))
			.longValue();
	}

	private static void chattr(String change, Path file) throws Exception {
		Process chattr = new ProcessBuilder("chattr", change, file.toString()).redirectErrorStream(true).start();
		String output = new String(chattr.getInputStream().readAllBytes());
		assertThat(chattr.waitFor()).as("chattr %s %s: %s", change, file, output).isZero();
	}

	private static void chown(Path file) throws IOException {
		// The tests run as root, as CI does: only root can give a file away.
		Files.setAttribute(file, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
		assertThat(Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(NOBODY);
	}

	private SharedMemoryManager manager() {
		return this.managers.manager(this.directory);
	}

	private SharedMemoryManager started() {
		return this.managers.started(this.directory);
	}

	private Set<String> files() throws IOException {
		return Managers.blockFiles(this.path);
	}

}
