package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.Watchable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests the {@link DirectoryWatcher} on its own: the one daemon thread it runs and ends,
 * the names it passes on, and how it goes on when a check fails, events are dropped or
 * the directory goes away. What a manager makes of the names is in
 * {@link BlockLossTests}. The inotify instances it opens are counted in
 * {@code /proc/self/fd}: none may outlive its watcher.
 */
class DirectoryWatcherTests {

	@TempDir(factory = InDevShm.class)
	Path root;

	@RegisterExtension
	final CapturedLog log = new CapturedLog(DirectoryWatcher.class);

	@RegisterExtension
	final CapturedLog managerLog = new CapturedLog(SharedMemoryManager.class);

	@RegisterExtension
	final Managers managers = new Managers();

	private final RecordedChecks checks = new RecordedChecks();

	private Path path;

	@BeforeEach
	void setUp() throws IOException {
		// A directory of its own, which a test may delete: JUnit's is removed by JUnit.
		this.path = Files.createDirectory(this.root.resolve("watched"));
	}

	@Test
	void runsOneDaemonThreadNamedForItsDirectoryThatEndsOnClose() throws Exception {
		long inotify = inotifyInstances();
		Thread thread;
		try (DirectoryWatcher watcher = startedByAUserThread(DirectoryWatcher.Mode.WATCH)) {
			assertThat(watcher.isWatching()).isTrue();
			assertThat(inotifyInstances()).isEqualTo(inotify + 1);
			thread = watcherThread();
			// A daemon: a watcher left running never keeps the JVM from exiting.
			assertThat(thread.isDaemon()).isTrue();
		}
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(thread.isAlive()).isFalse();
		assertThat(inotifyInstances()).isEqualTo(inotify);
	}

	@Test
	void aPollingWatcherChecksEveryBlockEachSecondThroughFailuresAndItsThreadEndsOnClose() throws Exception {
		this.checks.failOn = "*";
		long inotify = inotifyInstances();
		Thread thread;
		try (DirectoryWatcher watcher = startedByAUserThread(DirectoryWatcher.Mode.POLL)) {
			assertThat(watcher.isWatching()).isFalse();
			assertThat(inotifyInstances()).isEqualTo(inotify);
			thread = watcherThread();
			assertThat(thread.isDaemon()).isTrue();
			// Files are not looked at one by one when polling.
			Files.createFile(this.path.resolve("psm_ignored"));
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.all() >= 2);
		}
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(thread.isAlive()).isFalse();
		assertThat(this.checks.names).isEmpty();
		assertThat(this.log.messages(Level.INFO)).isEmpty();
		// Each failed check was logged, and the next came all the same.
		assertThat(this.log.messages(Level.WARNING)).hasSizeGreaterThanOrEqualTo(2)
			.allMatch(("Could not check the shared memory blocks in " + this.path)::equals);
	}

	@Test
	void aWatcherThatIsOffRunsNoThreadAndChecksNothing() throws Exception {
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.OFF)) {
			assertThat(watcher.isWatching()).isFalse();
			assertThat(watcherThreads()).isEmpty();
			Files.createFile(this.path.resolve("psm_unseen"));
		}
		assertThat(this.checks.names).isEmpty();
		assertThat(this.checks.all()).isZero();
	}

	@Test
	void eachNameCreatedMovedInOrDeletedIsCheckedAndNothingElse() throws Exception {
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.WATCH)) {
			Path block = Files.createFile(this.path.resolve("psm_a"));
			// Written to, not created nor deleted: no check.
			Files.write(block, new byte[] { 1 });
			Path moved = Files.move(Files.createFile(this.root.resolve("elsewhere")), this.path.resolve("psm_b"));
			Files.delete(block);
			Files.delete(moved);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.names.size() >= 4);
		}
		assertThat(this.checks.names).containsExactly("psm_a", "psm_b", "psm_a", "psm_b");
		assertThat(this.checks.all()).isZero();
	}

	@Test
	void aCheckThatThrowsIsLoggedAndTheWatchingGoesOn() throws Exception {
		this.checks.failOn = "psm_bad";
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.WATCH)) {
			Files.createFile(this.path.resolve("psm_bad"));
			Files.createFile(this.path.resolve("psm_good"));
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.names.contains("psm_good"));
		}
		assertThat(this.checks.names).containsExactly("psm_bad", "psm_good");
		assertThat(this.log.messages(Level.WARNING)).containsExactly("Could not check shared memory block 'psm_bad'");
	}

	@Test
	void eventsDroppedWhileACheckRunsMakeEveryBlockChecked() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		this.checks.blockOn = release;
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.WATCH)) {
			Files.createFile(this.path.resolve("psm_first"));
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.names.contains("psm_first"));
			// The JDK keeps at most 512 events per key that nobody took: more are one
			// OVERFLOW.
			for (int i = 0; i < 600; i++) {
				Files.createFile(this.path.resolve("psm_" + i));
			}
			release.countDown();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.all() >= 1);
		}
		assertThat(this.checks.names).hasSizeLessThan(600);
	}

	@Test
	void overflowsBeforeTheDirectoryIsQuietMakeOneCheckOfEveryBlock() throws Exception {
		ScriptedWatchService service = new ScriptedWatchService(this.path);
		// A burst that overflows again while the first overflow's check waits.
		service.signal(new ScriptedEvent<>(StandardWatchEventKinds.OVERFLOW, null));
		service.signal(new ScriptedEvent<>(StandardWatchEventKinds.OVERFLOW, null));
		service.signal(new ScriptedEvent<>(StandardWatchEventKinds.ENTRY_CREATE, Path.of("psm_a")));
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, service)) {
			assertThat(watcher.isWatching()).isTrue();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.all() >= 1);
			// Events are handled in order: once the sentinel is checked, any check the
			// overflows asked for has run.
			service.signal(new ScriptedEvent<>(StandardWatchEventKinds.ENTRY_CREATE, Path.of("psm_sentinel")));
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.names.contains("psm_sentinel"));
		}
		assertThat(this.checks.all()).isOne();
		// Names that came while the check waited were checked all the same.
		assertThat(this.checks.names).containsExactly("psm_a", "psm_sentinel");
	}

	@Test
	void aDirectoryThatCannotBeWatchedSaysSoAndIsCheckedPeriodically() throws Exception {
		Path missing = this.path.resolve("missing");
		long inotify = inotifyInstances();
		try (DirectoryWatcher watcher = DirectoryWatcher.start(missing, this.checks, DirectoryWatcher.Mode.WATCH)) {
			assertThat(watcher.isWatching()).isFalse();
			// The watch service it opened for nothing is closed.
			assertThat(inotifyInstances()).isEqualTo(inotify);
			assertThat(this.log.messages(Level.INFO)).singleElement()
				.asString()
				.startsWith("Cannot watch shared memory directory " + missing + " (java.nio.file.NoSuchFileException")
				.endsWith("checking its manager's blocks every 1000 ms instead");
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.all() >= 1);
		}
	}

	@Test
	void aWatchedDirectoryThatVanishesIsCheckedAtOnceThenPeriodically() throws Exception {
		try (DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.WATCH)) {
			Files.delete(this.path);
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.log.messages(Level.INFO).isEmpty());
			assertThat(this.log.messages(Level.INFO)).containsExactly("Shared memory directory " + this.path
					+ " can no longer be watched: checking its manager's blocks every 1000 ms instead");
			// At once, not a poll interval later: whatever happened to the blocks with
			// the directory was not seen.
			await().atMost(Duration.ofMillis(800)).until(() -> this.checks.all() >= 1);
			await().atMost(Duration.ofSeconds(10)).until(() -> this.checks.all() >= 2);
		}
	}

	@Test
	void closingAWatcherIsNotReportedAsTheDirectoryVanishing() throws Exception {
		DirectoryWatcher watcher = DirectoryWatcher.start(this.path, this.checks, DirectoryWatcher.Mode.WATCH);
		Thread thread = watcherThread();
		watcher.close();
		thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(thread.isAlive()).isFalse();
		assertThat(this.log.messages(Level.INFO)).isEmpty();
		assertThat(this.checks.all()).isZero();
	}

	@Test
	void aManagersShutdownEndsItsWatchersThreadAndAStartRunsANewOne() throws Exception {
		SharedMemoryManager manager = this.managers.started(SharedMemoryDirectory.of(this.path));
		Thread first = watcherThread();
		assertThat(first.isDaemon()).isTrue();
		manager.shutdown();
		first.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(first.isAlive()).isFalse();
		manager.start();
		assertThat(watcherThread()).isNotSameAs(first);
	}

	@Test
	void namesTheManagerDoesNotTrackAreIgnored() throws Exception {
		List<LostBlock> lost = new CopyOnWriteArrayList<>();
		SharedMemoryManager manager = this.managers.started(SharedMemoryDirectory.of(this.path),
				(builder) -> builder.listener(lost::add));
		SharedMemory kept = manager.sharedMemory(8);
		Files.delete(Files.createFile(this.path.resolve("psm_foreign")));
		// The watcher handles events in order: once the sentinel is reported, the foreign
		// name was handled before it.
		SharedMemory sentinel = manager.sharedMemory(8);
		Files.delete(this.path.resolve(sentinel.name()));
		await().atMost(Duration.ofSeconds(10)).until(() -> !lost.isEmpty());
		assertThat(lost).extracting(LostBlock::name).containsExactly(sentinel.name());
		assertThat(manager.blocks()).extracting(ManagedBlock::name).containsExactly(kept.name());
		assertThat(this.log.warnings()).isEmpty();
		assertThat(this.managerLog.warnings()).singleElement().asString().contains(sentinel.name());
	}

	/**
	 * Starts a watcher from a thread that is no daemon, as an application's is: a new
	 * thread is a daemon only if its creator is or it is made one (PIT runs tests on
	 * daemon threads).
	 */
	private DirectoryWatcher startedByAUserThread(DirectoryWatcher.Mode mode) throws Exception {
		AtomicReference<DirectoryWatcher> started = new AtomicReference<>();
		Thread user = new Thread(() -> started.set(DirectoryWatcher.start(this.path, this.checks, mode)));
		user.setDaemon(false);
		user.start();
		user.join();
		return started.get();
	}

	private Thread watcherThread() {
		List<Thread> threads = watcherThreads();
		assertThat(threads).hasSize(1);
		return threads.get(0);
	}

	private List<Thread> watcherThreads() {
		String name = "shared-memory-watcher " + this.path;
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(name) && thread.isAlive())
			.toList();
	}

	private static long inotifyInstances() throws IOException {
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.filter((descriptor) -> {
				try {
					return Files.readSymbolicLink(descriptor).toString().equals("anon_inode:inotify");
				}
				catch (IOException ex) {
					// Closed since it was listed (the one of this listing, say).
					return false;
				}
			}).count();
		}
	}

	/**
	 * Records the checks a watcher asks for: names in order, and {@code "*"} for every
	 * block.
	 */
	private static final class RecordedChecks implements DirectoryWatcher.Checks {

		final List<String> names = new CopyOnWriteArrayList<>();

		private final List<String> calls = new CopyOnWriteArrayList<>();

		volatile String failOn;

		volatile CountDownLatch blockOn;

		@Override
		public void check(String name) {
			this.names.add(name);
			this.calls.add(name);
			CountDownLatch latch = this.blockOn;
			if (latch != null) {
				this.blockOn = null;
				await().atMost(Duration.ofSeconds(10)).until(() -> latch.getCount() == 0);
			}
			if (name.equals(this.failOn)) {
				throw new IllegalStateException("check failed on purpose");
			}
		}

		@Override
		public void checkAll() {
			this.calls.add("*");
			if ("*".equals(this.failOn)) {
				throw new IllegalStateException("check failed on purpose");
			}
		}

		long all() {
			return this.calls.stream().filter("*"::equals).count();
		}

	}

	/**
	 * A watch service whose events a test chooses: each key it queues hands out its
	 * events once. Closing it ends a {@code take} or {@code poll} under way.
	 */
	private static final class ScriptedWatchService implements WatchService {

		private final BlockingQueue<WatchKey> keys = new LinkedBlockingQueue<>();

		private final Path directory;

		private volatile boolean closed;

		ScriptedWatchService(Path directory) {
			this.directory = directory;
		}

		void signal(WatchEvent<?> event) {
			this.keys.add(new ScriptedKey(this.directory, event));
		}

		@Override
		public void close() {
			this.closed = true;
			// Wakes a take() under way, which then finds the service closed.
			signal(new ScriptedEvent<>(StandardWatchEventKinds.OVERFLOW, null));
		}

		@Override
		public WatchKey poll() {
			return open(this.keys.poll());
		}

		@Override
		public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException {
			return open(this.keys.poll(timeout, unit));
		}

		@Override
		public WatchKey take() throws InterruptedException {
			return open(this.keys.take());
		}

		private WatchKey open(WatchKey key) {
			if (this.closed) {
				throw new ClosedWatchServiceException();
			}
			return key;
		}

	}

	private static final class ScriptedKey implements WatchKey {

		private final Watchable directory;

		private List<WatchEvent<?>> events;

		ScriptedKey(Watchable directory, WatchEvent<?> event) {
			this.directory = directory;
			this.events = List.of(event);
		}

		@Override
		public boolean isValid() {
			return true;
		}

		@Override
		public synchronized List<WatchEvent<?>> pollEvents() {
			List<WatchEvent<?>> taken = this.events;
			this.events = List.of();
			return taken;
		}

		@Override
		public boolean reset() {
			return true;
		}

		@Override
		public void cancel() {
		}

		@Override
		public Watchable watchable() {
			return this.directory;
		}

	}

	private record ScriptedEvent<T>(WatchEvent.Kind<T> kind, T context) implements WatchEvent<T> {

		@Override
		public int count() {
			return 1;
		}

	}

}
