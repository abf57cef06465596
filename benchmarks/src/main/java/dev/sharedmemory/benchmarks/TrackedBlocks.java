package dev.sharedmemory.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A running manager that tracks many tiny blocks, in a directory of its own on
 * {@code /dev/shm} (a tmpfs) and without page reservation, so that what is measured is
 * the manager's bookkeeping, not the blocks.
 */
@State(Scope.Benchmark)
public class TrackedBlocks {

	/** How many blocks the manager tracks. */
	@Param({ "1000", "10000" })
	public int blocks;

	SharedMemoryManager manager;

	private Path path;

	/**
	 * Starts the manager and creates the blocks through it.
	 * @throws IOException if the directory cannot be made
	 */
	@Setup
	public void setUp() throws IOException {
		this.path = Files.createTempDirectory(SharedMemoryDirectory.LINUX_SHM, "jmh-manager-");
		this.manager = SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(this.path).withPageReservation(false))
			.build();
		this.manager.start();
		for (int i = 0; i < this.blocks; i++) {
			this.manager.sharedMemory(1);
		}
	}

	/**
	 * Shuts the manager down, which unlinks its blocks, and removes the directory.
	 */
	@TearDown
	public void tearDown() {
		this.manager.shutdown();
		try {
			Files.delete(this.path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
