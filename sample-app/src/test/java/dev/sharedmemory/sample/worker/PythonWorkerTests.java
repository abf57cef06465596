package dev.sharedmemory.sample.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the worker's own tests ({@code python/test_worker.py}) with the {@code python3}
 * the application runs it with, and with every CPython 3.9 to 3.13 that pyenv installed,
 * so that they are part of the build: the worker reads its readings with numpy where
 * there is numpy, and in plain Python everywhere.
 */
class PythonWorkerTests {

	@ParameterizedTest
	@MethodSource("interpreters")
	void workerTestsPass(String python) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(python, "-m", "unittest", "discover", "--start-directory", "python",
				"--verbose")
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output)
			.contains("test_computes_and_marks_done", "test_agrees_with_the_statistics_module",
					"test_reads_every_version_in_plain_python")
			.containsPattern("Ran \\d+ tests")
			// "OK (skipped=1)" if a test skipped: none may.
			.containsPattern("(?m)^OK$");
	}

	static Stream<String> interpreters() throws IOException {
		List<String> interpreters = new ArrayList<>(List.of("python3"));
		String root = System.getenv("PYENV_ROOT");
		Path versions = ((root != null) ? Path.of(root) : Path.of(System.getProperty("user.home"), ".pyenv"))
			.resolve("versions");
		if (Files.isDirectory(versions)) {
			try (Stream<Path> installed = Files.list(versions)) {
				installed.filter((version) -> version.getFileName().toString().matches("3\\.(9|1[0-3])\\.\\d+"))
					.map((version) -> version.resolve("bin/python3"))
					.filter(Files::isExecutable)
					.sorted()
					.forEach((python) -> interpreters.add(python.toString()));
			}
		}
		return interpreters.stream();
	}

}
