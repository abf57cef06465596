package dev.sharedmemory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * Follows the files of a shared memory directory on one daemon thread, so that a
 * {@link SharedMemoryManager} learns that one of its blocks was unlinked or replaced
 * within about a second, without a {@code stat} per block on every listing. On Linux the
 * JDK's {@link WatchService} is inotify: a name is checked as soon as a file of that name
 * is created, moved in, deleted or moved out; when the JDK drops events (more than 512
 * waiting), every block is checked once the directory is quiet for a moment, or a second
 * after the drop at the latest. Should the directory not be watchable (inotify instances
 * used up, say), every block is checked once a second instead, and a log line says so.
 * What to do about a name is the manager's.
 */
final class DirectoryWatcher implements AutoCloseable {

	static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

	/**
	 * How long the directory must be quiet before every block is checked after the watch
	 * service dropped events; a second after the first drop at the latest.
	 */
	static final Duration OVERFLOW_QUIET = Duration.ofMillis(100);

	private static final System.Logger logger = System.getLogger(DirectoryWatcher.class.getName());

	private final Path directory;

	private final Checks checks;

	private final @Nullable WatchService service;

	private final CountDownLatch stopped = new CountDownLatch(1);

	private final Thread thread;

	private DirectoryWatcher(Path directory, Checks checks, @Nullable WatchService service) {
		this.directory = directory;
		this.checks = checks;
		this.service = service;
		this.thread = new Thread(this::run, "shared-memory-watcher " + directory);
		this.thread.setDaemon(true);
	}

	/**
	 * Starts watching a directory.
	 * @param directory the directory
	 * @param checks what to do about a name that changed, or about every block
	 * @param mode how to watch it: {@link Mode#WATCH} but in tests
	 * @return the running watcher
	 */
	static DirectoryWatcher start(Path directory, Checks checks, Mode mode) {
		if (mode == Mode.OFF) {
			return new DirectoryWatcher(directory, checks, null);
		}
		return start(directory, checks, (mode == Mode.WATCH) ? watchService(directory) : null);
	}

	/**
	 * Starts watching a directory through a watch service the caller opened and
	 * registered (tests choose its events with one of their own), or periodically.
	 * @param directory the directory
	 * @param checks what to do about a name that changed, or about every block
	 * @param service the watch service, closed with the watcher; {@code null} to check
	 * every block once a second
	 * @return the running watcher
	 */
	static DirectoryWatcher start(Path directory, Checks checks, @Nullable WatchService service) {
		DirectoryWatcher watcher = new DirectoryWatcher(directory, checks, service);
		watcher.thread.start();
		return watcher;
	}

	private static @Nullable WatchService watchService(Path directory) {
		WatchService service = null;
		try {
			service = directory.getFileSystem().newWatchService();
			directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
			return service;
		}
		catch (IOException | RuntimeException ex) {
			logger.log(Level.INFO,
					"Cannot watch shared memory directory {0} ({1}): checking its manager''s blocks "
							+ "every {2} ms instead",
					directory, ex.toString(), String.valueOf(POLL_INTERVAL.toMillis()));
			closeQuietly(service);
			return null;
		}
	}

	/**
	 * Tells whether the directory is watched, rather than checked periodically.
	 */
	boolean isWatching() {
		return this.service != null;
	}

	private void run() {
		try {
			if (this.service != null && !watch(this.service)) {
				logger.log(Level.INFO,
						"Shared memory directory {0} can no longer be watched: checking its "
								+ "manager''s blocks every {1} ms instead",
						this.directory, String.valueOf(POLL_INTERVAL.toMillis()));
				checkAll();
			}
			while (!this.stopped.await(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
				checkAll();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Checks each name the watch service reports until the watcher is closed, and every
	 * block after it dropped events.
	 * @return {@code false} if the directory stopped being watchable (deleted, say)
	 * before that
	 */
	private boolean watch(WatchService service) throws InterruptedException {
		FullCheckSchedule fullCheck = new FullCheckSchedule(OVERFLOW_QUIET, POLL_INTERVAL);
		try {
			while (true) {
				WatchKey key = fullCheck.isPending()
						? service.poll(fullCheck.waitNanos(System.nanoTime()), TimeUnit.NANOSECONDS) : service.take();
				if (key != null && !handle(key, fullCheck)) {
					return this.stopped.getCount() == 0;
				}
				if (fullCheck.takeDue(System.nanoTime(), key == null)) {
					checkAll();
				}
			}
		}
		catch (ClosedWatchServiceException ex) {
			return true;
		}
	}

	/**
	 * Checks the names of one key's events, or has every block checked if some were
	 * dropped.
	 * @return whether the key is still valid
	 */
	private boolean handle(WatchKey key, FullCheckSchedule fullCheck) {
		for (WatchEvent<?> event : key.pollEvents()) {
			if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
				// Events were dropped: any block may have changed.
				fullCheck.dropped(System.nanoTime());
			}
			else if (event.context() instanceof Path name) {
				check(name.toString());
			}
		}
		return key.reset();
	}

	// One bad check must not stop the watching.
	private void check(String name) {
		try {
			this.checks.check(name);
		}
		catch (RuntimeException ex) {
			// No parameters: the text is not a MessageFormat pattern, its quotes are
			// plain.
			logger.log(Level.WARNING, "Could not check shared memory block '" + name + "'", ex);
		}
	}

	private void checkAll() {
		try {
			this.checks.checkAll();
		}
		catch (RuntimeException ex) {
			logger.log(Level.WARNING, "Could not check the shared memory blocks in " + this.directory, ex);
		}
	}

	/**
	 * Stops watching; a check under way finishes on its own. Does not wait for the
	 * thread, which may be calling a listener that waits for the manager.
	 */
	@Override
	public void close() {
		this.stopped.countDown();
		closeQuietly(this.service);
	}

	private static void closeQuietly(@Nullable WatchService service) {
		if (service != null) {
			try {
				service.close();
			}
			catch (IOException ex) {
				// Nothing more to watch either way.
			}
		}
	}

	/**
	 * How a watcher follows its directory.
	 */
	enum Mode {

		/**
		 * Through the watch service, or periodically if the directory cannot be watched.
		 */
		WATCH,

		/** Periodically, as where the directory cannot be watched (tests). */
		POLL,

		/** Not at all (tests of what the manager does on its own). */
		OFF

	}

	/**
	 * What a watcher does about the names it sees change.
	 */
	interface Checks {

		/**
		 * Checks the block of the given name, if it is one of the manager's: a file of
		 * that name was created, moved in, deleted or moved out.
		 */
		void check(String name);

		/**
		 * Checks every block of the manager: what changed is not known.
		 */
		void checkAll();

	}

}
