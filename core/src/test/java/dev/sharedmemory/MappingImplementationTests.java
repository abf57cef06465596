package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.sharedmemory.mapping.MemoryMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which mapping implementation the multi-release JAR picks on this JDK, and that using it
 * leaves the console silent. The tests run against the packaged JAR
 * ({@code ./mvnw verify}): only a JAR honours {@code META-INF/versions}.
 */
class MappingImplementationTests {

	private static final String MAPPING_PROPERTY = "dev.sharedmemory.mapping";

	private static final int JDK_WITH_FOREIGN_MAPPING = 22;

	private final SharedMemoryDirectory directory = SharedMemoryDirectory.defaultDirectory();

	private final List<String> names = new ArrayList<>();

	@AfterEach
	void removeBlocks() throws IOException {
		for (String name : this.names) {
			Files.deleteIfExists(this.directory.path().resolve(name));
		}
	}

	@Test
	void foreignMemoryOnJdk22AndLaterElseNio() {
		String implementation = this.directory.mappingImplementation();
		// The build log names the implementation each run used; .ci/run reports it.
		System.out.println("dev.sharedmemory mapping: " + implementation + " (Java " + Runtime.version() + ")");
		boolean nioChosen = "nio".equals(System.getProperty(MAPPING_PROPERTY));
		boolean foreignAvailable = Runtime.version().feature() >= JDK_WITH_FOREIGN_MAPPING;
		assertThat(implementation).as("mapping on Java %s, from %s", Runtime.version(), codeSource())
			.isEqualTo((foreignAvailable && !nioChosen) ? "ffm" : "nio");
	}

	@Test
	void foreignMemoryUnmapsBlocksOf16MiBAndMoreOnCloseAndLeavesTheRestToTheCollector() {
		MemoryMapper best = MemoryMapper.best();
		boolean ffm = best.name().equals("ffm");
		assertThat(best.unmapsOnRelease(4096)).isFalse();
		assertThat(best.unmapsOnRelease((16 << 20) - 1)).isFalse();
		assertThat(best.unmapsOnRelease(16 << 20)).isEqualTo(ffm);
		assertThat(best.unmapsOnRelease(3L << 30)).isEqualTo(ffm);
	}

	@ParameterizedTest
	@CsvSource(nullValues = "default", value = { "default", "nio" })
	void aJvmUsingABlockPrintsNothingButWhatItIsToldTo(String chosen) throws Exception {
		String name = newName();
		ChildJvm child = ChildJvm.run((chosen != null) ? List.of("-D" + MAPPING_PROPERTY + "=" + chosen) : List.of(),
				UseOneBlock.class, this.directory.path().toString(), name);
		assertThat(child.err()).isEmpty();
		assertThat(child.exitValue()).isZero();
		boolean foreignAvailable = Runtime.version().feature() >= JDK_WITH_FOREIGN_MAPPING;
		assertThat(child.out()).isEqualTo(((foreignAvailable && chosen == null) ? "ffm" : "nio") + "\n");
		assertThat(this.directory.exists(name)).isFalse();
	}

	private String newName() {
		String name = InDevShm.blockName();
		this.names.add(name);
		return name;
	}

	private static String codeSource() {
		return String.valueOf(SharedMemory.class.getProtectionDomain().getCodeSource().getLocation());
	}

	/**
	 * Creates, writes, reads, closes and unlinks a block, then prints the mapping
	 * implementation and nothing else.
	 */
	static final class UseOneBlock {

		public static void main(String[] args) {
			SharedMemoryDirectory directory = SharedMemoryDirectory.of(Path.of(args[0]));
			try (SharedMemory block = directory.create(args[1], 64 << 20)) {
				block.buf().putLong(0, 42);
				if (block.buf(0, 8).getLong(0) != 42) {
					throw new IllegalStateException("Read back something else than written");
				}
				block.unlink();
			}
			System.out.print(directory.mappingImplementation() + "\n");
		}

	}

}
