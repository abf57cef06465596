package dev.sharedmemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code /dev/shm}, where CPython's {@code shm_open} keeps blocks, for tests that share
 * blocks with Python: names unique to one test, and a sweep that finds (and removes) what
 * a test left behind.
 */
final class DevShm {

	static final Path PATH = Path.of("/dev/shm");

	static final SharedMemoryDirectory DIRECTORY = SharedMemoryDirectory.of(PATH);

	private static final SecureRandom RANDOM = new SecureRandom();

	private DevShm() {
	}

	/**
	 * Returns a prefix no other test run uses.
	 * @param tag what the names are for, a few letters
	 * @return the prefix, such as {@code jsl_1a2b3c4d_}
	 */
	static String uniquePrefix(String tag) {
		byte[] random = new byte[4];
		RANDOM.nextBytes(random);
		return tag + "_" + HexFormat.of().formatHex(random) + "_";
	}

	/**
	 * Removes every block whose name starts with the prefix.
	 * @param prefix the prefix
	 * @return the names of the blocks that were left, to fail the test with
	 */
	static List<String> sweep(String prefix) {
		try (Stream<Path> files = Files.list(PATH)) {
			List<String> left = files.map((file) -> file.getFileName().toString())
				.filter((name) -> name.startsWith(prefix))
				.sorted()
				.toList();
			for (String name : left) {
				Files.deleteIfExists(PATH.resolve(name));
			}
			return left;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
