package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hands out unique block names and, after each test, closes the handles and removes the
 * files of every block a test registered, whatever the test did: a run leaves
 * {@code /dev/shm} exactly as it found it.
 */
final class BlockCleanup implements AfterEachCallback {

	private final List<SharedMemory> handles = new ArrayList<>();

	private final List<Path> files = new ArrayList<>();

	/**
	 * Returns a name no other test (nor another helper's run) uses, and removes the file
	 * of that name in the given directory after the test.
	 */
	String newName(SharedMemoryDirectory directory) {
		String name = InDevShm.blockName();
		this.files.add(directory.path().resolve(name));
		return name;
	}

	/**
	 * Creates a block under a generated name ({@code psm_*}) in {@code /dev/shm} and
	 * registers it as {@link #track} does, but from the moment its name is taken, before
	 * the block is filled and mapped: a create that hangs (a timed-out mutant, whose JVM
	 * is then stopped) or fails after making the file leaves nothing that neither this
	 * cleanup nor the sweep of the JVM's ledger removes.
	 * @param size the size in bytes
	 * @return the new block
	 */
	SharedMemory create(long size) {
		return track(DevShm.DIRECTORY.create(size, new SharedMemoryDirectory.CreationListener() {

			@Override
			public void created(String name, long ignored, Path file) {
				register(file);
			}

			@Override
			public void abandoned(String name) {
				// Its file is gone already; removing it again after the test is harmless.
			}

		}));
	}

	/**
	 * Registers a handle to close, and its block to remove, after the test.
	 */
	SharedMemory track(SharedMemory block) {
		// Refused before it is kept: a null handle would stop the cleanup after the test.
		Objects.requireNonNull(block, "block");
		this.handles.add(block);
		register(block.directory().path().resolve(block.name()));
		return block;
	}

	private void register(Path file) {
		if (this.files.contains(file)) {
			return;
		}
		if (DevShm.PATH.equals(file.getParent())) {
			InDevShm.recordBlock(file);
		}
		this.files.add(file);
	}

	@Override
	public void afterEach(ExtensionContext context) throws IOException {
		try {
			this.handles.forEach(SharedMemory::close);
		}
		finally {
			removeFiles();
		}
	}

	private void removeFiles() throws IOException {
		for (Path file : this.files) {
			if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
				try (var entries = Files.list(file)) {
					for (Path entry : entries.toList()) {
						Files.delete(entry);
					}
				}
			}
			Files.deleteIfExists(file);
		}
	}

}
