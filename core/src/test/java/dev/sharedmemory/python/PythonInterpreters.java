package dev.sharedmemory.python;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the CPython interpreters (3.9 or later) to run the interop tests against:
 * {@code python3} on the {@code PATH}, and every {@code 3.N} version installed by pyenv
 * ({@code $PYENV_ROOT/versions}, else {@code ~/.pyenv/versions}), one per version.
 * Finding none fails the tests: they must run, never skip.
 */
public final class PythonInterpreters {

	private static final int MIN_MINOR = 9;

	private static final long PROBE_TIMEOUT_SECONDS = 30;

	private static List<PythonInterpreter> found;

	private PythonInterpreters() {
	}

	/**
	 * Returns the interpreters, for {@code @MethodSource}.
	 * @return one interpreter per version, oldest first
	 * @throws AssertionError if there is no CPython 3.9 or later
	 */
	public static Stream<PythonInterpreter> all() {
		return find().stream();
	}

	/**
	 * Returns the interpreters.
	 * @return one interpreter per version, oldest first
	 * @throws AssertionError if there is no CPython 3.9 or later
	 */
	public static synchronized List<PythonInterpreter> find() {
		if (found == null) {
			found = discover();
		}
		if (found.isEmpty()) {
			throw new AssertionError("The Python interop tests need CPython 3.9 or later: found none as python3 on the"
					+ " PATH nor under " + pyenvVersions() + ". Install python3 (e.g. apt-get install python3).");
		}
		return found;
	}

	private static List<PythonInterpreter> discover() {
		List<Path> candidates = new ArrayList<>();
		candidates.add(Path.of("python3"));
		Path versions = pyenvVersions();
		if (Files.isDirectory(versions)) {
			try (Stream<Path> installed = Files.list(versions)) {
				installed.filter((dir) -> dir.getFileName().toString().matches("3\\.\\d+.*"))
					.map((dir) -> dir.resolve("bin/python3"))
					.filter(Files::isExecutable)
					.sorted()
					.forEach(candidates::add);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot list " + versions, ex);
			}
		}
		Map<String, PythonInterpreter> byVersion = new LinkedHashMap<>();
		for (Path candidate : candidates) {
			PythonInterpreter interpreter = probe(candidate);
			if (interpreter != null && interpreter.minor() >= MIN_MINOR) {
				byVersion.putIfAbsent(interpreter.version(), interpreter);
			}
		}
		List<PythonInterpreter> interpreters = new ArrayList<>(byVersion.values());
		interpreters.sort(Comparator.comparingInt(PythonInterpreter::minor));
		return List.copyOf(interpreters);
	}

	private static Path pyenvVersions() {
		String root = System.getenv("PYENV_ROOT");
		Path pyenv = (root != null && !root.isBlank()) ? Path.of(root)
				: Path.of(System.getProperty("user.home"), ".pyenv");
		return pyenv.resolve("versions");
	}

	/**
	 * Asks a candidate for its version and real executable (python3 on the PATH may be a
	 * pyenv shim).
	 */
	private static PythonInterpreter probe(Path candidate) {
		try {
			Process process = new ProcessBuilder(candidate.toString(), "-I", "-c",
					"import sys; print('%d.%d.%d' % sys.version_info[:3]); print(sys.executable)")
				.redirectErrorStream(true)
				.start();
			process.getOutputStream().close();
			if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return null;
			}
			String[] lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n");
			if (process.exitValue() != 0 || lines.length < 2 || !lines[0].matches("3\\.\\d+\\.\\d+")) {
				return null;
			}
			return new PythonInterpreter(Path.of(lines[1].trim()), lines[0].trim());
		}
		catch (IOException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

}
