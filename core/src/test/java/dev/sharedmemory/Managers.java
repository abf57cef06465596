package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sharedmemory.ownership.OwnerRecord;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' one manager fixture: makes managers for a test's directory and shuts every
 * one of them down after the test, whatever it did. Register it with
 * {@code @RegisterExtension final Managers managers = new Managers();}.
 */
public final class Managers implements AfterEachCallback {

	private final List<SharedMemoryManager> managers = new ArrayList<>();

	/**
	 * Makes a manager of the given directory with the defaults, not started.
	 * @param directory the directory
	 * @return the manager
	 */
	public SharedMemoryManager manager(SharedMemoryDirectory directory) {
		return manager(directory, UnaryOperator.identity());
	}

	/**
	 * Makes a manager of the given directory, configured further by the test, not
	 * started.
	 * @param directory the directory
	 * @param configuration what the test sets on the builder
	 * @return the manager
	 */
	public SharedMemoryManager manager(SharedMemoryDirectory directory,
			UnaryOperator<SharedMemoryManager.Builder> configuration) {
		SharedMemoryManager manager = configuration.apply(SharedMemoryManager.builder().directory(directory)).build();
		this.managers.add(manager);
		return manager;
	}

	/**
	 * Makes and starts a manager of the given directory with the defaults.
	 * @param directory the directory
	 * @return the running manager
	 */
	public SharedMemoryManager started(SharedMemoryDirectory directory) {
		return started(directory, UnaryOperator.identity());
	}

	/**
	 * Makes and starts a manager of the given directory, configured further by the test.
	 * @param directory the directory
	 * @param configuration what the test sets on the builder
	 * @return the running manager
	 */
	public SharedMemoryManager started(SharedMemoryDirectory directory,
			UnaryOperator<SharedMemoryManager.Builder> configuration) {
		SharedMemoryManager manager = manager(directory, configuration);
		manager.start();
		return manager;
	}

	/**
	 * Configures a manager not to watch its directory, for tests of what it does itself
	 * with blocks that someone else unlinked or replaced (a watching manager would
	 * notice, and drop them).
	 * @param builder the builder
	 * @return the builder
	 */
	public static SharedMemoryManager.Builder unwatched(SharedMemoryManager.Builder builder) {
		return builder.watchMode(DirectoryWatcher.Mode.OFF);
	}

	/**
	 * Returns the file of a manager's owner record of its current run.
	 * @param manager a started manager
	 * @return the file, which exists once a block was created
	 */
	public static Path ownerRecord(SharedMemoryManager manager) {
		return manager.ownerRecord();
	}

	/**
	 * Returns the names of the blocks in a directory: every file but the managers' owner
	 * records and lock files.
	 * @param directory the directory
	 * @return the names
	 * @throws IOException if the directory cannot be listed
	 */
	public static Set<String> blockFiles(Path directory) throws IOException {
		return files(directory).stream().filter((name) -> !OwnerRecord.isOwnerFile(name)).collect(Collectors.toSet());
	}

	/**
	 * Returns the names of the owner records in a directory.
	 * @param directory the directory
	 * @return the names
	 * @throws IOException if the directory cannot be listed
	 */
	public static Set<String> recordFiles(Path directory) throws IOException {
		return files(directory).stream()
			.filter((name) -> name.startsWith(OwnerRecord.FILE_PREFIX))
			.collect(Collectors.toSet());
	}

	private static Set<String> files(Path directory) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.map((file) -> file.getFileName().toString()).collect(Collectors.toSet());
		}
	}

	@Override
	public void afterEach(ExtensionContext context) {
		shutdownAll();
	}

	/**
	 * Shuts every manager down now, for a test that must clean up after them itself;
	 * idempotent.
	 */
	public void shutdownAll() {
		RuntimeException failure = null;
		for (SharedMemoryManager manager : this.managers) {
			try {
				manager.shutdown();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.managers.clear();
		if (failure != null) {
			throw failure;
		}
	}

}
