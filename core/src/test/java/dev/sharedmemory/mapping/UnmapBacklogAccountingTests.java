package dev.sharedmemory.mapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests the counting of {@link UnmapBacklog} on backlogs of its own, with small limits:
 * what counts as waiting for the collector and what stops counting, the limits, when a
 * collection is asked for and when a new mapping must wait or is refused. Mapping owners
 * are plain objects, held while a test needs its entry to wait and dropped for the
 * collector to take. {@link dev.sharedmemory.UnmapBacklogTests} has the whole thing in a
 * JVM that never collects on its own.
 */
class UnmapBacklogAccountingTests {

	// Large: no test here reaches it but on purpose.
	private static final long NO_BYTES_LIMIT = Long.MAX_VALUE;

	private static final Duration COLLECTED = Duration.ofSeconds(20);

	// Owners whose entries must keep waiting.
	private final List<Object> held = new ArrayList<>();

	@Test
	void theLimitIsHalfOfTheMappingLimitAndNeverBelow64() {
		assertThat(new UnmapBacklog(65_530, 1000).countLimit()).isEqualTo(32_765);
		assertThat(new UnmapBacklog(129, 1000).countLimit()).isEqualTo(64);
		assertThat(new UnmapBacklog(10, 1000).countLimit()).isEqualTo(64);
		assertThat(new UnmapBacklog(10, 1000).bytesLimit()).isEqualTo(1000);
	}

	@Test
	void theJvmsBacklogProtectsThisMachinesMappingLimitAndDirectory() throws IOException {
		UnmapBacklog backlog = UnmapBacklog.get();
		assertThat(backlog).isSameAs(UnmapBacklog.INSTANCE);
		long maxMapCount = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/vm/max_map_count")).get(0).trim());
		assertThat(backlog.countLimit()).isEqualTo(Math.max(64, maxMapCount / 2));
		// A sixteenth of /dev/shm, from 1 MiB to 64 MiB.
		long sixteenth = Files.getFileStore(Path.of("/dev/shm")).getTotalSpace() / 16;
		assertThat(backlog.bytesLimit()).isBetween(1L << 20, 64L << 20)
			.isEqualTo(Math.min(64L << 20, Math.max(1L << 20, sixteenth)));
	}

	@Test
	void anEntryWaitsFromItsReleaseOnceUntilItsOwnerIsCollected() {
		UnmapBacklog backlog = new UnmapBacklog(1_000_000, NO_BYTES_LIMIT);
		UnmapBacklog.Entry open = backlog.register(held(), 100);
		UnmapBacklog.Entry entry = backlog.register(new Object(), 4096);
		UnmapBacklog.Entry empty = backlog.register(new Object(), 0);
		assertThat(backlog.waitingCount()).isZero();

		entry.released();
		entry.released();
		empty.released();
		assertThat(backlog.waitingCount()).isEqualTo(2);
		assertThat(backlog.waitingBytes()).isEqualTo(4096);

		// Owners unreachable, as a closed block's buffer is once dropped: the JDK unmaps
		// them, and they stop waiting. The open one never waited, and does not count
		// down.
		await().atMost(COLLECTED).until(() -> {
			System.gc();
			return backlog.waitingCount() == 0;
		});
		assertThat(backlog.waitingBytes()).isZero();
		open.released();
		assertThat(backlog.waitingCount()).isEqualTo(1);
		assertThat(backlog.waitingBytes()).isEqualTo(100);
		assertThat(backlog.collectionsRequested()).isZero();
	}

	@Test
	void anEntryCollectedWhileOpenNeverWaits() {
		UnmapBacklog backlog = new UnmapBacklog(1_000_000, NO_BYTES_LIMIT);
		UnmapBacklog.Entry collected = backlog.register(new Object(), 10);
		UnmapBacklog.Entry witness = backlog.register(new Object(), 20);
		witness.released();
		// The witness, released, is collected with the other, most likely (not surely)
		// handled by the Cleaner in the same pass.
		await().atMost(COLLECTED).until(() -> {
			System.gc();
			return backlog.waitingCount() == 0;
		});
		// A mapping the JDK unmapped before its block was closed (a block the
		// application dropped without closing it) does not wait after its close: at
		// once if its collection was handled, else once it is.
		collected.released();
		await().atMost(COLLECTED).until(() -> backlog.waitingCount() == 0 && backlog.waitingBytes() == 0);
	}

	@Test
	void aCollectionIsAskedForOnceAQuarterOfTheMappingLimitWaits() {
		// A count limit of 64: a collection at 32 waiting.
		UnmapBacklog backlog = new UnmapBacklog(128, NO_BYTES_LIMIT);
		releaseHeld(backlog, 31, 1);
		assertThat(backlog.waitingCount()).isEqualTo(31);
		Set<Thread> earlier = collectors();
		releaseHeld(backlog, 1, 1);
		await().atMost(COLLECTED).until(() -> backlog.collectionsRequested() == 1);
		Thread collector = collectors().stream()
			.filter((thread) -> !earlier.contains(thread))
			.findFirst()
			.orElseThrow();
		// Past its collection, with the count still at 32 (the owners are held), the
		// collector waits for the count to come down, a second at most, rather than
		// end: until then a close does not ask again, no collection after collection
		// while the JDK unmaps.
		await().pollInterval(Duration.ofMillis(10))
			.atMost(COLLECTED)
			.until(() -> collector.getState() == Thread.State.TIMED_WAITING || !collector.isAlive());
		assertThat(collector.isAlive()).isTrue();
		releaseHeld(backlog, 1, 1);
		assertThat(backlog.collectionsRequested()).isEqualTo(1);
		// Once it has waited, the next close asks again: the count is still up.
		await().atMost(COLLECTED).until(() -> {
			releaseHeld(backlog, 1, 1);
			return backlog.collectionsRequested() >= 2;
		});
	}

	@Test
	void aCollectionIsAskedForOnceTheBytesLimitWaits() {
		UnmapBacklog backlog = new UnmapBacklog(1_000_000, 1000);
		releaseHeld(backlog, 1, 999);
		assertThat(backlog.waitingBytes()).isEqualTo(999);
		releaseHeld(backlog, 1, 1);
		await().atMost(COLLECTED).until(() -> backlog.collectionsRequested() == 1);
		// The count is far below its limit: the collection's thread ends at once.
		// Released once more below the byte limit, nothing more is asked for.
		this.held.clear();
		await().atMost(COLLECTED).until(() -> {
			System.gc();
			return backlog.waitingCount() == 0;
		});
		releaseHeld(backlog, 1, 500);
		assertThat(backlog.collectionsRequested()).isEqualTo(1);
	}

	@Test
	void theCollectionItAsksForLetsTheCountDownAndLaterBurstsAskAgain() {
		UnmapBacklog backlog = new UnmapBacklog(128, NO_BYTES_LIMIT);
		// Owners dropped: the collection asked for at 32 takes them all.
		for (int i = 0; i < 32; i++) {
			backlog.register(new Object(), 1).released();
		}
		await().atMost(COLLECTED).until(() -> backlog.collectionsRequested() == 1 && backlog.waitingCount() == 0);
		releaseHeld(backlog, 31, 1);
		await().atMost(COLLECTED).until(() -> {
			releaseHeld(backlog, 1, 1);
			return backlog.collectionsRequested() == 2;
		});
		assertThat(backlog.waitingCount()).isGreaterThanOrEqualTo(32);
	}

	@Test
	void belowTheLimitANewMappingNeverWaits() {
		UnmapBacklog backlog = new UnmapBacklog(128, NO_BYTES_LIMIT);
		releaseHeld(backlog, 20, 1);
		backlog.reserveRoom();
		assertThat(backlog.collectionsRequested()).isZero();
	}

	@Test
	void atTheLimitANewMappingWaitsForTheCollectionItAsksFor() {
		UnmapBacklog backlog = new UnmapBacklog(128, NO_BYTES_LIMIT);
		releaseHeld(backlog, 64, 1);
		// The one asked for in the background at 32, on its way: not what is counted
		// below.
		await().atMost(COLLECTED).until(() -> backlog.collectionsRequested() == 1);
		long before = backlog.collectionsRequested();
		// Dropped now: only a collection takes them.
		this.held.clear();
		backlog.reserveRoom();
		assertThat(backlog.waitingCount()).isLessThan(64);
		assertThat(backlog.collectionsRequested()).isGreaterThan(before);
	}

	@Test
	void atTheLimitANewMappingIsRefusedWhenNothingCanBeCollected() {
		UnmapBacklog backlog = new UnmapBacklog(128, NO_BYTES_LIMIT);
		releaseHeld(backlog, 64, 1);
		long start = System.nanoTime();
		assertThatIllegalStateException().isThrownBy(backlog::reserveRoom)
			.withMessageStartingWith("64 mappings of closed shared memory blocks wait for the garbage collector")
			.withMessageContaining("and 64 is the most this process allows (half of vm.max_map_count)",
					"-XX:+DisableExplicitGC");
		// Not before it gave the collector a second.
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(backlog.waitingCount()).isEqualTo(64);
	}

	@Test
	void releasesFromManyThreadsAreCountedExactlyOnceEach() throws Exception {
		UnmapBacklog backlog = new UnmapBacklog(1_000_000, NO_BYTES_LIMIT);
		int threads = 4;
		int perThread = 2_000;
		List<UnmapBacklog.Entry> entries = new ArrayList<>();
		for (int i = 0; i < threads * perThread; i++) {
			entries.add(backlog.register(held(), i % 3));
		}
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				// Every thread releases every entry: each counts once all the same.
				done.add(executor.submit(() -> {
					go.await();
					entries.forEach(UnmapBacklog.Entry::released);
					return null;
				}));
			}
			go.countDown();
			for (Future<?> future : done) {
				future.get();
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(backlog.waitingCount()).isEqualTo(threads * perThread);
		assertThat(backlog.waitingBytes()).isEqualTo(LongStream.range(0, entries.size()).map((i) -> i % 3).sum());
		assertThat(backlog.collectionsRequested()).isZero();
	}

	private static Set<Thread> collectors() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("shared-memory-unmap-collect"))
			.collect(Collectors.toSet());
	}

	private Object held() {
		Object owner = new Object();
		this.held.add(owner);
		return owner;
	}

	private void releaseHeld(UnmapBacklog backlog, int count, long bytes) {
		for (int i = 0; i < count; i++) {
			backlog.register(held(), bytes).released();
		}
	}

}
