package dev.sharedmemory.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The packaged core JAR as JPMS users get it: a tiny modular application
 * ({@code src/it/modular-app}) that requires {@code dev.sharedmemory.core} is compiled
 * against the JAR and run on the module path of JDK 17 and of a JDK 22+, where the
 * multi-release JAR's java.lang.foreign classes take over. Both JDKs must be there: a
 * missing one fails the test, naming the property that points to it
 * ({@code -Dmodular.jdk17=...}, {@code -Dmodular.jdk22plus=...}).
 */
class ModularApplicationIT {

	private static final String APPLICATION_MODULE = "dev.sharedmemory.modular.app";

	private static final Path DEV_SHM = Path.of("/dev/shm");

	private static final SecureRandom RANDOM = new SecureRandom();

	private static Path coreJar;

	private static Path applicationClasses;

	private final List<String> names = new ArrayList<>();

	@BeforeAll
	static void compileApplication() throws Exception {
		coreJar = findCoreJar();
		Path work = Path.of(System.getProperty("modular.work"));
		applicationClasses = work.resolve("classes");
		// Requiring an automatic module is the point here, so javac's lint about it is
		// off; any other warning fails.
		List<String> command = new ArrayList<>(List.of(jdk("modular.jdk17", 17).resolve("bin/javac").toString(),
				"--release", "17", "-Xlint:all,-requires-automatic", "-Werror", "--module-path", coreJar.toString(),
				"-d", applicationClasses.toString()));
		try (Stream<Path> sources = Files.walk(Path.of("src/it/modular-app"))) {
			sources.filter((path) -> path.toString().endsWith(".java")).map(Path::toString).forEach(command::add);
		}
		Result compiled = run(command);
		assertThat(compiled.exitCode()).as("javac of the modular application:%n%s", compiled.output()).isZero();
	}

	@AfterEach
	void removeBlocks() throws IOException {
		for (String name : this.names) {
			Files.deleteIfExists(DEV_SHM.resolve(name));
		}
	}

	@Test
	void runsOnTheModulePathOfJdk17WithNio() throws Exception {
		assertRuns(jdk("modular.jdk17", 17), "nio");
	}

	@Test
	void runsOnTheModulePathOfJdk22PlusWithForeignMemory() throws Exception {
		// A JAR built without the overlay (no JDK 22+ javac) keeps its Java 17 classes on
		// every JDK.
		assertRuns(jdk("modular.jdk22plus", 22), isMultiRelease(coreJar) ? "ffm" : "nio");
	}

	private void assertRuns(Path jdk, String expectedMapping) throws Exception {
		String name = "psm_modular_" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
		this.names.add(name);
		Result result = run(List.of(jdk.resolve("bin/java").toString(), "--module-path",
				coreJar + java.io.File.pathSeparator + applicationClasses, "--module",
				APPLICATION_MODULE + "/" + APPLICATION_MODULE + ".Main", name));
		assertThat(result.exitCode()).as("modular application on %s:%n%s", jdk, result.output()).isZero();
		// Nothing else on the console either: no warning of the JDK about the JAR or the
		// memory it maps.
		assertThat(result.output().lines()).as("output on %s", jdk)
			.containsExactly("module=dev.sharedmemory.core", "mapping=" + expectedMapping);
		assertThat(DEV_SHM.resolve(name)).as("block unlinked by the application").doesNotExist();
	}

	private static Path findCoreJar() {
		List<Path> found = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
			.map(Path::of)
			.filter((path) -> path.getFileName().toString().matches("shared-memory-core-.*\\.jar"))
			.toList();
		assertThat(found).as("the packaged core JAR on the test class path").hasSize(1);
		return found.get(0);
	}

	private static boolean isMultiRelease(Path jar) throws IOException {
		try (JarFile file = new JarFile(jar.toFile())) {
			return file.isMultiRelease();
		}
	}

	/**
	 * Returns the home of the JDK the given system property names, failing (not skipping)
	 * if there is none of at least the given feature release there.
	 */
	private static Path jdk(String property, int minimumFeature) {
		Path home = Path.of(System.getProperty(property, ""));
		Path release = home.resolve("release");
		if (!Files.isExecutable(home.resolve("bin/javac")) || !Files.isReadable(release)) {
			fail("No JDK at '%s' (%s): this check runs the core JAR on JDK 17 and on a JDK 22+; install one or pass "
					+ "-D%s=<home of a JDK %d%s>", home, property, property, minimumFeature,
					(minimumFeature > 17) ? "+" : "");
		}
		Properties properties = new Properties();
		try {
			properties.load(Files.newBufferedReader(release));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "");
		int feature = Integer.parseInt(version.split("[.+-]")[0]);
		boolean fits = (minimumFeature == 17) ? feature == 17 : feature >= minimumFeature;
		assertThat(fits)
			.as("JDK at %s (%s) is Java %s, expected %s", home, property, version,
					(minimumFeature == 17) ? "17" : minimumFeature + " or later")
			.isTrue();
		return home;
	}

	private static Result run(List<String> command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		process.getOutputStream().close();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			fail("Timed out: %s", command);
		}
		return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}

	private record Result(int exitCode, String output) {
	}

}
