package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.NDArrayDescriptor;
import dev.sharedmemory.ndarray.Order;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link SharedMemoryManager} with {@link SharedMemory} blocks,
 * {@link ShareableList}s and {@link NDArray}s.
 */
class SharedMemoryManagerTests {

	@TempDir
	Path path;

	@RegisterExtension
	final Managers managers = new Managers();

	@RegisterExtension
	final CapturedLog log = new CapturedLog(SharedMemoryManager.class);

	private SharedMemoryDirectory directory;

	@BeforeEach
	void setUp() {
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void useBeforeStartThrowsAndCreatesNothing() throws Exception {
		SharedMemoryManager manager = manager(true);
		assertThat(manager.isRunning()).isFalse();
		String message = "SharedMemoryManager for " + this.path + " is not running: call start() first (or it was "
				+ "shut down)";
		assertThatIllegalStateException().isThrownBy(() -> manager.sharedMemory(9)).withMessage(message);
		assertThatIllegalStateException().isThrownBy(() -> manager.attach("blk")).withMessage(message);
		assertThatIllegalStateException().isThrownBy(() -> manager.unlink("blk")).withMessage(message);
		assertThat(this.path).isEmptyDirectory();
		assertThat(manager.blocks()).isEmpty();
		assertAllCountsZero(manager);
	}

	@Test
	void useAfterShutdownThrows() {
		SharedMemoryManager manager = started(true);
		manager.shutdown();
		assertThat(manager.isRunning()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> manager.sharedMemory(9));
		assertThatIllegalStateException().isThrownBy(() -> manager.unlink("blk"));
		assertThat(this.path).isEmptyDirectory();
	}

	/**
	 * CPython's {@code test_shared_memory_SharedMemoryManager_basics}, for the
	 * {@code SharedMemory} part.
	 */
	@Test
	void shutdownUnlinksEveryBlockTheManagerCreated() throws Exception {
		SharedMemoryManager manager = started(true);
		List<SharedMemory> blocks = new ArrayList<>();
		for (int size = 32; size < 128; size += 16) {
			blocks.add(manager.sharedMemory(size));
		}
		try (SharedMemory doppelganger = this.directory.attach(blocks.get(0).name())) {
			assertThat(doppelganger.buf().capacity()).isEqualTo(32);
		}
		assertThat(files()).containsExactlyInAnyOrderElementsOf(names(blocks));
		String held = blocks.get(0).name();
		manager.shutdown();
		assertThat(this.path).isEmptyDirectory();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> this.directory.attach(held));
		assertThat(blocks).allMatch(SharedMemory::isClosed);
		assertThat(manager.blocks()).isEmpty();
		assertThat(manager.blockCount()).isZero();
		assertThat(manager.totalBytes()).isZero();
	}

	@Test
	void closeIsShutdown() {
		String name;
		try (SharedMemoryManager manager = SharedMemoryManager.builder().directory(this.directory).build()) {
			manager.start();
			name = manager.sharedMemory(128).name();
			assertThat(this.directory.exists(name)).isTrue();
		}
		assertThat(this.directory.exists(name)).isFalse();
	}

	@Test
	void blocksDescribeWhatTheManagerTracksOldestFirst() {
		MutableClock clock = new MutableClock(Instant.parse("2024-06-01T10:00:00Z"));
		SharedMemoryManager manager = this.managers.started(this.directory, (builder) -> builder.clock(clock));
		SharedMemory first = manager.sharedMemory(100);
		clock.advance(Duration.ofSeconds(1));
		SharedMemory second = manager.sharedMemory(200);
		clock.advance(Duration.ofSeconds(-5));
		SharedMemory earliest = manager.sharedMemory(300);
		assertThat(manager.blocks()).containsExactly(
				new ManagedBlock(earliest.name(), 300, BlockKind.SHARED_MEMORY, Instant.parse("2024-06-01T09:59:56Z"),
						-1, null),
				new ManagedBlock(first.name(), 100, BlockKind.SHARED_MEMORY, Instant.parse("2024-06-01T10:00:00Z"), -1,
						null),
				new ManagedBlock(second.name(), 200, BlockKind.SHARED_MEMORY, Instant.parse("2024-06-01T10:00:01Z"), -1,
						null));
		assertThat(manager.blockCount()).isEqualTo(3);
		assertThat(manager.totalBytes()).isEqualTo(600);
		assertThat(manager.block(first.name())).contains(manager.blocks().get(1));
		assertThat(manager.block("/" + first.name())).contains(manager.blocks().get(1));
		assertThat(manager.block("psm_00000000")).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> manager.block("../x"));
		assertThat(BlockKind.SHARED_MEMORY.displayName()).isEqualTo("SharedMemory");
	}

	@Test
	void blocksIsAnImmutableSnapshot() {
		SharedMemoryManager manager = started(true);
		SharedMemory block = manager.sharedMemory(64);
		List<ManagedBlock> snapshot = manager.blocks();
		manager.sharedMemory(64);
		manager.unlink(block.name());
		assertThat(snapshot).hasSize(1).first().extracting(ManagedBlock::name).isEqualTo(block.name());
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(snapshot::clear);
		assertThat(manager.blocks()).hasSize(1).noneMatch((described) -> described.name().equals(block.name()));
	}

	@Test
	void unlinkOfATrackedBlockUnlinksItAndClosesItsHandle() {
		SharedMemoryManager manager = started(true);
		SharedMemory block = manager.sharedMemory(64);
		assertThat(manager.unlink("/" + block.name())).isTrue();
		assertThat(this.directory.exists(block.name())).isFalse();
		assertThat(block.isClosed()).isTrue();
		assertThat(manager.blocks()).isEmpty();
		assertThat(manager.unlink(block.name())).isFalse();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(1);
	}

	@Test
	void unlinkNeverTouchesABlockTheManagerDidNotCreate() {
		SharedMemoryManager manager = started(true);
		try (SharedMemory foreign = this.directory.create("foreign", 64)) {
			assertThat(manager.unlink("foreign")).isFalse();
			assertThat(this.directory.exists("foreign")).isTrue();
			try (SharedMemory attached = manager.attach("foreign")) {
				assertThat(attached.size()).isEqualTo(64);
			}
			assertThat(manager.blocks()).isEmpty();
			assertThat(manager.unlink("foreign")).isFalse();
			manager.shutdown();
			assertThat(this.directory.exists("foreign")).isTrue();
			foreign.unlink();
		}
		assertThat(manager.operationCount(SharedMemoryOperation.ATTACH, true)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(2);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isZero();
	}

	@Test
	void attachToAMissingBlockCountsAFailure() {
		SharedMemoryManager manager = started(true);
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> manager.attach("missing"));
		assertThat(manager.operationCount(SharedMemoryOperation.ATTACH, false)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.ATTACH, true)).isZero();
	}

	@Test
	void failedCreatesAreCountedAndLeaveNothing() {
		SharedMemoryManager manager = started(true);
		assertThatIllegalArgumentException().isThrownBy(() -> manager.sharedMemory(0));
		assertThatIllegalArgumentException().isThrownBy(() -> manager.sharedMemory(-7));
		manager.sharedMemory(1);
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, false)).isEqualTo(2);
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, true)).isEqualTo(1);
		assertThat(manager.blocks()).hasSize(1);
	}

	@Test
	void shutdownWithoutUnlinkingLeavesTheBlocksAndClosesTheHandles() throws Exception {
		SharedMemoryManager manager = started(false);
		assertThat(manager.unlinksOnShutdown()).isFalse();
		SharedMemory block = manager.sharedMemory(64);
		block.buf().putInt(0, 17);
		manager.shutdown();
		assertThat(block.isClosed()).isTrue();
		assertThat(manager.blocks()).isEmpty();
		try (SharedMemory survivor = this.directory.attach(block.name())) {
			assertThat(survivor.buf().getInt(0)).isEqualTo(17);
			survivor.unlink();
		}
		assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isZero();
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void shutdownIsIdempotentAndAManagerCanBeStartedAgain() {
		SharedMemoryManager manager = started(true);
		assertThat(manager.unlinksOnShutdown()).isTrue();
		manager.sharedMemory(8);
		manager.shutdown();
		manager.shutdown();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		manager.start();
		assertThat(manager.isRunning()).isTrue();
		SharedMemory again = manager.sharedMemory(8);
		assertThat(manager.blocks()).extracting(ManagedBlock::name).containsExactly(again.name());
		manager.shutdown();
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void shutdownSkipsBlocksUnlinkedMeanwhileAndHandlesClosedMeanwhile() {
		// Shutdown before the watcher drops the unlinked block (BlockLossTests covers the
		// watcher).
		SharedMemoryManager manager = unwatched();
		SharedMemory unlinked = manager.sharedMemory(8);
		SharedMemory closed = manager.sharedMemory(8);
		unlinked.unlink();
		closed.close();
		manager.shutdown();
		assertThat(this.path).isEmptyDirectory();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(2);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isZero();
		// Only the handle the manager itself closed counts.
		assertThat(manager.operationCount(SharedMemoryOperation.CLOSE, true)).isEqualTo(1);
	}

	@Test
	void aBlockThatCannotBeUnlinkedStaysTrackedForShutdown() throws Exception {
		// Unwatched: the watcher would drop a block replaced behind the manager's back
		// (BlockLossTests).
		SharedMemoryManager manager = unwatched();
		SharedMemory block = manager.sharedMemory(8);
		Path file = this.path.resolve(block.name());
		// Something that is not a block took its name: unlinking it must fail, not remove
		// it.
		Files.delete(file);
		Files.createDirectory(file);
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(() -> manager.unlink(block.name()))
			.withMessageContaining(block.name())
			.withMessageContaining("it is a directory");
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(1);
		assertThat(manager.blocks()).extracting(ManagedBlock::name).containsExactly(block.name());
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(manager::shutdown)
			.withMessageContaining(block.name());
		assertThat(manager.isRunning()).isFalse();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(2);
		assertThat(file).isDirectory();
		assertThat(this.log.messages(Level.WARNING)).singleElement()
			.asString()
			.startsWith("Could not unlink shared memory block '" + block.name() + "' at shutdown");
		Files.delete(file);
	}

	@Test
	void shutdownTriesEveryBlockAndReportsEveryFailure() throws Exception {
		// Unwatched: the watcher would drop a block replaced behind the manager's back
		// (BlockLossTests).
		SharedMemoryManager manager = unwatched();
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			names.add(manager.sharedMemory(8).name());
		}
		Path blocked = this.path.resolve(names.get(0));
		Path alsoBlocked = this.path.resolve(names.get(2));
		for (Path file : List.of(blocked, alsoBlocked)) {
			Files.delete(file);
			Files.createDirectory(file);
		}
		assertThatExceptionOfType(SharedMemoryException.class).isThrownBy(manager::shutdown)
			.satisfies((ex) -> assertThat(ex.getSuppressed()).hasSize(1));
		assertThat(this.directory.exists(names.get(1))).isFalse();
		assertThat(manager.blocks()).isEmpty();
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(2);
		assertThat(this.log.messages(Level.WARNING)).hasSize(2)
			.allMatch((message) -> message.endsWith("it is a directory"));
		Files.delete(blocked);
		Files.delete(alsoBlocked);
	}

	@Test
	void toStringSaysWhereHowManyAndWhetherRunning() {
		SharedMemoryManager manager = started(true);
		manager.sharedMemory(8);
		assertThat(manager).hasToString("SharedMemoryManager[" + this.path + ", 1 blocks, running]");
		manager.shutdown();
		assertThat(manager).hasToString("SharedMemoryManager[" + this.path + ", 0 blocks, stopped]");
		assertThat(manager.directory()).isSameAs(this.directory);
	}

	/**
	 * CPython's {@code test_shared_memory_SharedMemoryManager_basics}, for the
	 * {@code ShareableList} part.
	 */
	@Test
	void listsAreTrackedWithTheirLengthAndFormatAndUnlinkedAtShutdown() throws Exception {
		SharedMemoryManager manager = started(true);
		ShareableList list = manager.shareableList(List.of("howdy", 100L, 2.5, true));
		SharedMemory raw = manager.sharedMemory(64);
		ManagedBlock described = manager.block(list.shm().name()).orElseThrow();
		assertThat(described.kind()).isEqualTo(BlockKind.SHAREABLE_LIST);
		assertThat(described.length()).isEqualTo(4);
		assertThat(described.format()).isEqualTo("8sqdxxxxxxx?");
		assertThat(described.size()).isEqualTo(list.shm().size());
		list.set(1, "changed");
		assertThat(manager.block(list.shm().name()).orElseThrow().format()).isEqualTo("8s8sdxxxxxxx?");
		assertThat(manager.blocks()).extracting(ManagedBlock::name)
			.containsExactlyInAnyOrder(list.shm().name(), raw.name());
		assertThat(manager.totalBytes()).isEqualTo(list.shm().size() + 64);
		list.close();
		assertThat(manager.block(list.shm().name()).orElseThrow().format()).isNull();
		manager.shutdown();
		assertThat(files()).isEmpty();
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, true)).isEqualTo(2);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(2);
	}

	@Test
	void aListThatCannotBeCreatedCountsAFailureAndLeavesNothing() throws Exception {
		SharedMemoryManager manager = started(true);
		assertThatIllegalArgumentException().isThrownBy(() -> manager.shareableList(List.of(1L, new Object())));
		assertThat(files()).isEmpty();
		assertThat(manager.blocks()).isEmpty();
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, false)).isEqualTo(1);
	}

	@Test
	void blocksCreatedAtTheSameInstantStayApart() {
		Clock stopped = Clock.fixed(Instant.parse("2024-06-01T10:00:00Z"), ZoneOffset.UTC);
		SharedMemoryManager manager = this.managers.started(this.directory, (builder) -> builder.clock(stopped));
		List<String> names = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			names.add(manager.sharedMemory(10 + i).name());
		}
		names.add(manager.shareableList(List.of(1L)).shm().name());
		// One instant: the names order them, and none hides another.
		assertThat(manager.blocks()).extracting(ManagedBlock::name)
			.containsExactlyElementsOf(names.stream().sorted().toList());
		assertThat(manager.blockCount()).isEqualTo(6);
		assertThat(manager.unlink(names.get(2))).isTrue();
		names.remove(2);
		assertThat(manager.blocks()).extracting(ManagedBlock::name)
			.containsExactlyElementsOf(names.stream().sorted().toList());
	}

	@Test
	void afterShutdownOtherThreadsAreRefusedNotBlocked() throws Exception {
		SharedMemoryManager manager = started(true);
		manager.sharedMemory(10);
		manager.shutdown();
		// Twice: the early return of a second shutdown must let go of the lock too.
		manager.shutdown();
		ExecutorService other = Executors.newSingleThreadExecutor();
		try {
			// A deadlock guard, not a speed check: a blocked thread never answers.
			Future<Throwable> create = other.submit(() -> catchThrowable(() -> manager.sharedMemory(10)));
			assertThat(create.get(1, TimeUnit.MINUTES)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("is not running");
			Future<?> shutdown = other.submit(manager::shutdown);
			shutdown.get(1, TimeUnit.MINUTES);
			assertThat(other.submit(manager::blocks).get(1, TimeUnit.MINUTES)).isEmpty();
		}
		finally {
			other.shutdownNow();
		}
		assertThat(files()).isEmpty();
	}

	@Test
	void theListingSurvivesAListWhoseFormatCannotBeRead() throws Exception {
		SharedMemoryManager manager = started(true);
		ShareableList list = manager.shareableList(List.of("howdy", 1L));
		SharedMemory raw = manager.sharedMemory(8);
		// Another process scribbles over item 0's format: 8 + 3 offsets of 8 bytes + 16
		// bytes of data.
		try (SharedMemory other = this.directory.attach(list.shm().name())) {
			other.buf().put(48, (byte) 'Z');
		}
		assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(list::format);
		ManagedBlock described = manager.block(list.shm().name()).orElseThrow();
		assertThat(described.kind()).isEqualTo(BlockKind.SHAREABLE_LIST);
		assertThat(described.length()).isEqualTo(2);
		assertThat(described.format()).isNull();
		assertThat(manager.blocks()).extracting(ManagedBlock::name)
			.containsExactlyInAnyOrder(list.shm().name(), raw.name());
		manager.shutdown();
		assertThat(files()).isEmpty();
	}

	@Test
	void arraysAreTrackedWithTheirDtypeShapeAndOrderAndUnlinkedAtShutdown() throws Exception {
		SharedMemoryManager manager = started(true);
		NDArray array = manager.ndarray(DType.FLOAT64, Order.F, 3, 4);
		NDArray named = manager.ndarray("/psm_mgr_array", DType.parse(">i2"), Order.C);
		array.setDouble(2.5, 2, 3);
		ManagedBlock described = manager.block(array.shm().name()).orElseThrow();
		assertThat(described.kind()).isEqualTo(BlockKind.NDARRAY);
		assertThat(described.kind().displayName()).isEqualTo("NDArray");
		assertThat(described.size()).isEqualTo(128 + 3 * 4 * 8);
		assertThat(described.length()).isEqualTo(-1);
		assertThat(described.format()).isNull();
		assertThat(described.array()).isEqualTo(
				new NDArrayDescriptor(array.shm().name(), 128 + 96, DType.FLOAT64, List.of(3L, 4L), Order.F, 128));
		assertThat(manager.block("psm_mgr_array").orElseThrow().array()).satisfies((descriptor) -> {
			assertThat(descriptor.dtype().descr()).isEqualTo(">i2");
			assertThat(descriptor.shape()).isEmpty();
		});
		assertThat(manager.block(manager.sharedMemory(8).name()).orElseThrow().array()).isNull();
		// What the manager created is what NDArray.create writes, so numpy reads it: the
		// same bytes.
		try (NDArray reference = NDArray.create(this.directory, DType.FLOAT64, Order.F, 3, 4)) {
			reference.setDouble(2.5, 2, 3);
			assertThat(Files.readAllBytes(this.path.resolve(array.shm().name())))
				.isEqualTo(Files.readAllBytes(this.path.resolve(reference.shm().name())));
			reference.shm().unlink();
		}
		try (NDArray attached = NDArray.attach(this.directory, named.shm().name())) {
			assertThat(attached.dtype()).isEqualTo(named.dtype());
		}
		array.close();
		assertThat(manager.block(array.shm().name())).isPresent();
		manager.shutdown();
		assertThat(files()).isEmpty();
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, true)).isEqualTo(3);
		assertThat(manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(3);
	}

	@Test
	void anArrayThatCannotBeCreatedCountsAFailureAndLeavesNothing() throws Exception {
		SharedMemoryManager manager = started(true);
		assertThatIllegalArgumentException().isThrownBy(() -> manager.ndarray(DType.INT8, Order.C, 2, -1))
			.withMessageContaining("negative dimension");
		assertThatIllegalArgumentException().isThrownBy(() -> manager.ndarray("../up", DType.INT8, Order.C, 2));
		NDArray taken = manager.ndarray("psm_mgr_taken", DType.INT8, Order.C, 2);
		assertThatExceptionOfType(SharedMemoryExistsException.class)
			.isThrownBy(() -> manager.ndarray("psm_mgr_taken", DType.FLOAT64, Order.C, 1000));
		assertThat(files()).containsExactly("psm_mgr_taken");
		assertThat(manager.blocks()).extracting(ManagedBlock::name).containsExactly("psm_mgr_taken");
		assertThat(taken.shm().size()).isEqualTo(130);
		assertThat(manager.operationCount(SharedMemoryOperation.CREATE, false)).isEqualTo(3);
	}

	private SharedMemoryManager manager(boolean unlinkOnShutdown) {
		return this.managers.manager(this.directory, (builder) -> builder.unlinkOnShutdown(unlinkOnShutdown));
	}

	private SharedMemoryManager started(boolean unlinkOnShutdown) {
		SharedMemoryManager manager = manager(unlinkOnShutdown);
		manager.start();
		assertThat(manager.isRunning()).isTrue();
		return manager;
	}

	/**
	 * Starts a manager that does not watch its directory, for tests of what it does
	 * itself with blocks someone else unlinked or replaced.
	 */
	private SharedMemoryManager unwatched() {
		return this.managers.started(this.directory, Managers::unwatched);
	}

	/**
	 * Returns the names of the blocks in the directory: every file but the managers'
	 * owner records.
	 */
	private Set<String> files() throws IOException {
		return Managers.blockFiles(this.path);
	}

	private static List<String> names(List<SharedMemory> blocks) {
		return blocks.stream().map(SharedMemory::name).toList();
	}

	private static void assertAllCountsZero(SharedMemoryManager manager) {
		for (SharedMemoryOperation operation : SharedMemoryOperation.values()) {
			assertThat(manager.operationCount(operation, true)).as("%s successes", operation).isZero();
			assertThat(manager.operationCount(operation, false)).as("%s failures", operation).isZero();
		}
	}

	/**
	 * A clock the test moves by hand.
	 */
	static final class MutableClock extends Clock {

		private Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
