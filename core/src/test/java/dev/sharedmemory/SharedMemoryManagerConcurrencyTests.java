package dev.sharedmemory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.sharedmemory.ownership.OwnerRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Many threads create, attach and unlink through one {@link SharedMemoryManager} while
 * another lists its blocks; afterwards the directory,
 * {@link SharedMemoryManager#blocks()} and the operation counts agree exactly with what
 * the threads did.
 */
class SharedMemoryManagerConcurrencyTests {

	private static final int THREADS = 8;

	private static final int OPERATIONS_PER_THREAD = 300;

	@TempDir
	Path path;

	@RegisterExtension
	final Managers managers = new Managers();

	@Test
	void threadsCreatingAndUnlinkingThroughOneManagerAgreeWithItExactly() throws Exception {
		SharedMemoryDirectory directory = SharedMemoryDirectory.of(this.path);
		SharedMemoryManager manager = this.managers.started(directory);
		ExecutorService executor = Executors.newFixedThreadPool(THREADS + 1);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Tally>> workers = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				int worker = i;
				workers.add(executor.submit(() -> {
					start.await();
					return work(manager, worker);
				}));
			}
			AtomicBoolean working = new AtomicBoolean(true);
			Future<Integer> lister = executor.submit(() -> {
				start.await();
				int snapshots = 0;
				while (working.get() || snapshots == 0) {
					List<ManagedBlock> blocks = manager.blocks();
					assertThat(blocks.stream().map(ManagedBlock::name).distinct()).hasSameSizeAs(blocks);
					assertThat(blocks).allMatch((block) -> block.kind() == BlockKind.SHARED_MEMORY);
					snapshots++;
				}
				return snapshots;
			});
			start.countDown();
			Tally total = new Tally();
			for (Future<Tally> worker : workers) {
				total.add(worker.get(5, TimeUnit.MINUTES));
			}
			working.set(false);
			assertThat(lister.get(1, TimeUnit.MINUTES)).isPositive();

			assertThat(total.creates + total.unlinks + total.unknownUnlinks + total.badCreates + total.attaches
					+ total.missingAttaches)
				.isEqualTo(THREADS * OPERATIONS_PER_THREAD);
			assertThat(total.creates).isGreaterThan(500);
			assertThat(total.unlinks).isGreaterThan(300);
			Set<String> tracked = manager.blocks().stream().map(ManagedBlock::name).collect(Collectors.toSet());
			assertThat(tracked).isEqualTo(total.remaining).isEqualTo(files());
			// The owner record names exactly what a crash now would leave behind.
			assertThat(OwnerRecords.blockNames(Managers.ownerRecord(manager))).isEqualTo(tracked);
			assertThat(manager.blockCount()).isEqualTo(total.remaining.size());
			assertThat(manager.totalBytes()).isEqualTo(total.remainingBytes);
			assertThat(manager.operationCount(SharedMemoryOperation.CREATE, true)).isEqualTo(total.creates);
			assertThat(manager.operationCount(SharedMemoryOperation.CREATE, false)).isEqualTo(total.badCreates);
			assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(total.unlinks);
			assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(total.unknownUnlinks);
			assertThat(manager.operationCount(SharedMemoryOperation.ATTACH, true)).isEqualTo(total.attaches);
			assertThat(manager.operationCount(SharedMemoryOperation.ATTACH, false)).isEqualTo(total.missingAttaches);
			assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(total.unlinks);

			manager.shutdown();
			assertThat(this.path).isEmptyDirectory();
			assertThat(manager.blocks()).isEmpty();
			long remaining = total.remaining.size();
			assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(total.unlinks + remaining);
			assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(total.unlinks + remaining);
			assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, false)).isZero();
		}
		finally {
			executor.shutdownNow();
			manager.shutdown();
		}
	}

	/**
	 * One thread's share: a seeded mix of operations on blocks of its own, so that the
	 * outcome of each is known.
	 */
	private static Tally work(SharedMemoryManager manager, int worker) {
		Random random = new Random(1000 + worker);
		Tally tally = new Tally();
		List<SharedMemory> own = new ArrayList<>();
		for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
			int choice = random.nextInt(100);
			if (choice < 45 || (choice < 75 && own.isEmpty())) {
				SharedMemory block = manager.sharedMemory(4 + random.nextInt(4093));
				block.buf().putInt(0, worker);
				own.add(block);
				tally.creates++;
			}
			else if (choice < 75) {
				SharedMemory block = own.remove(random.nextInt(own.size()));
				assertThat(manager.unlink(block.name())).isTrue();
				assertThat(block.isClosed()).isTrue();
				tally.unlinks++;
			}
			else if (choice < 85) {
				assertThat(manager.unlink("never-created-" + worker + "-" + i)).isFalse();
				tally.unknownUnlinks++;
			}
			else if (choice < 92) {
				assertThatIllegalArgumentException().isThrownBy(() -> manager.sharedMemory(0));
				tally.badCreates++;
			}
			else if (!own.isEmpty()) {
				SharedMemory block = own.get(random.nextInt(own.size()));
				try (SharedMemory attached = manager.attach(block.name())) {
					assertThat(attached.buf().getInt(0)).isEqualTo(worker);
				}
				tally.attaches++;
			}
			else {
				String missing = "never-created-" + worker + "-" + i;
				assertThatExceptionOfType(SharedMemoryNotFoundException.class)
					.isThrownBy(() -> manager.attach(missing));
				tally.missingAttaches++;
			}
		}
		for (SharedMemory block : own) {
			tally.remaining.add(block.name());
			tally.remainingBytes += block.size();
		}
		return tally;
	}

	/**
	 * Returns the names of the blocks in the directory: every file but the manager's
	 * owner record.
	 */
	private Set<String> files() throws Exception {
		return Managers.blockFiles(this.path);
	}

	/**
	 * What threads did, by outcome.
	 */
	private static final class Tally {

		long creates;

		long unlinks;

		long unknownUnlinks;

		long badCreates;

		long attaches;

		long missingAttaches;

		long remainingBytes;

		final Set<String> remaining = new HashSet<>();

		void add(Tally other) {
			this.creates += other.creates;
			this.unlinks += other.unlinks;
			this.unknownUnlinks += other.unknownUnlinks;
			this.badCreates += other.badCreates;
			this.attaches += other.attaches;
			this.missingAttaches += other.missingAttaches;
			this.remainingBytes += other.remainingBytes;
			this.remaining.addAll(other.remaining);
		}

	}

}
