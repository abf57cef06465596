package dev.sharedmemory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks {@link SharedMemoryDirectory#checkName(String)} over many names made of the
 * characters that matter (a fixed seed keeps every run the same): every name it accepts
 * is one file directly inside the directory; every other name is refused with a message
 * that says it is about the block name.
 */
class BlockNameFuzzTests {

	private static final Path DIRECTORY = Path.of("/dev/shm");

	private static final char[] SHORT_NAME_CHARS = { 'a', '.', '/', '\0', 'é', '€', ' ', '\\' };

	private static final char[] LONG_NAME_CHARS = { 'a', 'é', '€', '/' };

	@Test
	void everyAcceptedNameIsOneFileDirectlyInsideTheDirectory() {
		Random random = new Random(20240611);
		int accepted = 0;
		int refused = 0;
		for (int i = 0; i < 20_000; i++) {
			String name = (i % 2 == 0) ? randomName(random, SHORT_NAME_CHARS, 0, 6)
					: randomName(random, LONG_NAME_CHARS, 80, 300);
			String checked;
			try {
				checked = SharedMemoryDirectory.checkName(name);
			}
			catch (IllegalArgumentException ex) {
				assertThat(ex).hasMessageStartingWith("Shared memory block name");
				refused++;
				continue;
			}
			Path file = DIRECTORY.resolve(checked);
			assertThat(file.getParent()).isEqualTo(DIRECTORY);
			assertThat(file.normalize()).isEqualTo(file);
			assertThat(file.getFileName()).hasToString(checked);
			assertThat(name).isIn(checked, "/" + checked);
			assertThat(checked.getBytes(StandardCharsets.UTF_8).length).isBetween(1, 255);
			accepted++;
		}
		// Both outcomes must be well represented for the loop to prove anything.
		assertThat(accepted).isGreaterThan(2000);
		assertThat(refused).isGreaterThan(2000);
	}

	private static String randomName(Random random, char[] chars, int minLength, int maxLength) {
		int length = minLength + random.nextInt(maxLength - minLength + 1);
		StringBuilder name = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			name.append(chars[random.nextInt(chars.length)]);
		}
		return name.toString();
	}

}
