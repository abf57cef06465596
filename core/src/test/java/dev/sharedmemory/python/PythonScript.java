package dev.sharedmemory.python;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a one-shot script from {@code src/test/resources/python} to its end, and the
 * processes it left behind too: its output is read until every process holding it closed
 * it, so that what Python's resource tracker (a process of its own that outlives the
 * script for a moment) does and says at the script's exit is done and said by the time
 * {@link #run} returns.
 *
 * @param exitCode the script's exit status
 * @param stdout what it printed
 * @param stderr what it and its resource tracker wrote to stderr
 */
public record PythonScript(int exitCode, String stdout, String stderr) {

	private static final long TIMEOUT_SECONDS = 120;

	/**
	 * Runs a script.
	 * @param interpreter the interpreter
	 * @param script the script's file name under {@code src/test/resources/python}
	 * @param arguments its arguments
	 * @return what it did
	 * @throws AssertionError if it or its children do not finish in time
	 */
	public static PythonScript run(PythonInterpreter interpreter, String script, String... arguments) {
		List<String> command = new ArrayList<>(
				List.of(interpreter.executable().toString(), "-I", "-B", scriptPath(script).toString()));
		command.addAll(List.of(arguments));
		Process process;
		try {
			process = new ProcessBuilder(command).start();
			process.getOutputStream().close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + interpreter + " at " + interpreter.executable(), ex);
		}
		CompletableFuture<String> stdout = readAll(process.getInputStream());
		CompletableFuture<String> stderr = readAll(process.getErrorStream());
		try {
			if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				throw new AssertionError(
						interpreter + " did not finish " + script + " within " + TIMEOUT_SECONDS + " s");
			}
			return new PythonScript(process.exitValue(), stdout.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
					stderr.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while " + interpreter + " ran " + script, ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new AssertionError("Could not read the output of " + script + " run by " + interpreter, ex);
		}
		finally {
			process.destroyForcibly();
		}
	}

	private static CompletableFuture<String> readAll(InputStream stream) {
		// A thread each: a read blocks until the last process holding the pipe is gone.
		return CompletableFuture.supplyAsync(() -> {
			try (stream) {
				return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, (task) -> {
			Thread reader = new Thread(task, "python-script-output");
			reader.setDaemon(true);
			reader.start();
		});
	}

	private static Path scriptPath(String script) {
		URL url = PythonScript.class.getResource("/python/" + script);
		if (url == null) {
			throw new IllegalArgumentException("No script src/test/resources/python/" + script);
		}
		try {
			return Path.of(url.toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
