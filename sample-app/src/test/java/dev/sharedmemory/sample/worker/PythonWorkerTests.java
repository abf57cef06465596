package dev.sharedmemory.sample.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the worker's own tests ({@code python/test_worker.py}) with the {@code python3} the application runs it with,
 * so that they are part of the build.
 */
class PythonWorkerTests {

	@Test
	void workerTestsPass() throws IOException, InterruptedException {
		Process python = new ProcessBuilder("python3", "-m", "unittest", "discover", "--start-directory", "python",
				"--verbose")
			.redirectErrorStream(true)
			.start();
		String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(python.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(python.exitValue()).as(output).isZero();
		assertThat(output).contains("test_computes_and_marks_done", "test_agrees_with_the_statistics_module")
			.containsPattern("Ran \\d+ tests")
			// "OK (skipped=1)" if a test skipped: none may.
			.containsPattern("(?m)^OK$");
	}

}
