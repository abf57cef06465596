package dev.sharedmemory.ndarray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Block names in {@code /dev/shm} unique to one test (a prefix no other run uses), and
 * after each test the arrays it registered closed and every block of the prefix removed:
 * a run leaves {@code /dev/shm} as it found it.
 */
final class TestBlocks implements AfterEachCallback {

	static final Path DEV_SHM = Path.of("/dev/shm");

	static final SharedMemoryDirectory DIRECTORY = SharedMemoryDirectory.of(DEV_SHM);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final String prefix;

	private final List<AutoCloseable> handles = new ArrayList<>();

	private int names;

	TestBlocks() {
		byte[] random = new byte[4];
		RANDOM.nextBytes(random);
		this.prefix = "ndtests_" + HexFormat.of().formatHex(random) + "_";
	}

	/**
	 * Returns the prefix of every name this instance hands out.
	 */
	String prefix() {
		return this.prefix;
	}

	/**
	 * Returns a new unique name.
	 */
	String newName() {
		return this.prefix + (this.names++);
	}

	/**
	 * Registers an array to close after the test; its block is removed with the prefix's.
	 */
	NDArray track(NDArray array) {
		this.handles.add(array);
		if (!array.shm().name().startsWith(this.prefix)) {
			array.shm().unlink();
			throw new AssertionError("Tracked array " + array + " is not named with the prefix " + this.prefix);
		}
		return array;
	}

	/**
	 * Creates a block of the given contents under a new name, closed after the test.
	 */
	SharedMemory block(byte[] contents) {
		SharedMemory block = DIRECTORY.create(newName(), contents.length);
		this.handles.add(block);
		block.buf().put(contents);
		return block;
	}

	@Override
	public void afterEach(ExtensionContext context) throws Exception {
		for (AutoCloseable handle : this.handles) {
			handle.close();
		}
		this.handles.clear();
		try (Stream<Path> files = Files.list(DEV_SHM)) {
			for (Path file : files.filter((f) -> f.getFileName().toString().startsWith(this.prefix)).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
