package dev.sharedmemory.ownership;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.sharedmemory.InDevShm;
import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemoryDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests the {@link OwnerLock} that tells a live owner from a dead one across processes: a
 * lock another process holds is a sign of life, one this JVM holds is never opened again,
 * and no judgement or release leaves a descriptor open (counted in
 * {@code /proc/self/fd}).
 */
class OwnerLockTests {

	// Above PID_MAX_LIMIT (2^22): no process ever has this id.
	private static final long DEAD_PID = (1L << 22) + 31;

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
	void aLockAnotherProcessHoldsKeepsItsOwnersBlocksAndCostsNoDescriptor() throws Exception {
		// The pid in the record is dead: only the lock, held by CPython here, says the
		// owner lives.
		this.directory.create("held", 4096).close();
		OwnerRecord record = OwnerRecord.in(this.path, identity());
		record.add("held", 4096, inode("held"));
		record.abandon();
		Process holder = new ProcessBuilder("python3", "-c", """
				import fcntl, sys
				f = open(sys.argv[1], 'r+')
				fcntl.lockf(f, fcntl.LOCK_EX)
				print('locked', flush=True)
				sys.stdin.read()
				""", record.lockFile().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		try {
			BufferedReader output = new BufferedReader(
					new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII));
			assertThat(output.readLine()).isEqualTo("locked");
			OrphanReclaimer reclaimer = new OrphanReclaimer(this.path, this.self);
			long open = openDescriptors();

			for (int i = 0; i < 20; i++) {
				assertThat(reclaimer.reclaim().blocks()).isEmpty();
			}

			assertThat(openDescriptors()).as("descriptors after 20 judgements of a live owner").isEqualTo(open);
			assertThat(this.path.resolve("held")).exists();
			assertThat(record.file()).exists();
			assertThat(record.lockFile()).exists();
		}
		finally {
			holder.getOutputStream().close();
			assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
		// Its holder gone, the lock is free: the owner is dead.
		ReclaimedOrphans reclaimed = new OrphanReclaimer(this.path, this.self).reclaim();
		assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name).containsExactly("held");
		assertThat(record.lockFile()).doesNotExist();
	}

	@Test
	void aLockTakenBehindThisClassesBackInThisJvmIsASignOfLife() throws Exception {
		Path file = this.path.resolve("locked-elsewhere");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
				FileLock lock = channel.lock()) {
			long open = openDescriptors();

			assertThat(OwnerLock.tryAcquire(file)).isNull();
			assertThat(openDescriptors()).isEqualTo(open);
		}
	}

	@Test
	void aLockThisJvmHoldsIsNeverTakenAgainTillReleased() throws Exception {
		Path file = this.path.resolve("lock");
		OwnerLock created = OwnerLock.create(file);
		assertThat(created.file()).isEqualTo(file);
		assertThat(created).hasToString("OwnerLock[" + file + "]");
		assertThat(OwnerLock.tryAcquire(file)).isNull();

		created.release();
		OwnerLock acquired = OwnerLock.tryAcquire(file);

		assertThat(acquired).isNotNull();
		assertThat(OwnerLock.tryAcquire(file)).isNull();
		acquired.deleteAndRelease();
		assertThat(file).doesNotExist();
	}

	@Test
	void aLockHeldHereSaysNothingOfAnotherFile() throws Exception {
		OwnerLock held = OwnerLock.create(this.path.resolve("held"));
		Path free = Files.createFile(this.path.resolve("free"));

		OwnerLock taken = OwnerLock.tryAcquire(free);

		assertThat(taken).isNotNull();
		assertThat(taken.file()).isEqualTo(free);
		taken.release();
		held.release();
	}

	@Test
	void creatingALockOverAnExistingFileFailsAndLeavesTheFile() throws Exception {
		Path file = Files.writeString(this.path.resolve("taken"), "someone's");

		assertThatExceptionOfType(FileAlreadyExistsException.class).isThrownBy(() -> OwnerLock.create(file));
		assertThat(file).hasContent("someone's");
	}

	@Test
	void noDescriptorOutlivesALockDeletedOrReleased() throws Exception {
		long open = openDescriptors();
		for (int i = 0; i < 100; i++) {
			OwnerLock.create(this.path.resolve("deleted-" + i)).deleteAndRelease();
			OwnerLock released = OwnerLock.create(this.path.resolve("released-" + i));
			released.release();
			// Twice: a lock released is released once.
			released.release();
		}
		assertThat(openDescriptors()).as("descriptors after 200 locks").isEqualTo(open);
		try (Stream<Path> files = Files.list(this.path)) {
			assertThat(files.map((file) -> file.getFileName().toString())).hasSize(100)
				.allMatch((name) -> name.startsWith("released-"));
		}
	}

	private ProcessIdentity identity() {
		return new ProcessIdentity(DEAD_PID, 1, this.self.bootId(), this.self.pidNamespace(), this.self.uid(), "ghost");
	}

	private long inode(String name) throws IOException {
		return ((Number) Files.getAttribute(this.path.resolve(name), "unix:ino", LinkOption.NOFOLLOW_LINKS))
			.longValue();
	}

	private static long openDescriptors() throws IOException {
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.count();
		}
	}

}
