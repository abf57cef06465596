package dev.sharedmemory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs a main class of the tests in a JVM of its own, the one running the tests, on the
 * same class path: for what only a fresh JVM shows (which implementation it picks, what
 * it prints at start).
 *
 * @param out what the child printed on its standard output
 * @param err what it printed on its standard error
 * @param exitValue its exit value
 */
public record ChildJvm(String out, String err, int exitValue) {

	/**
	 * Runs {@code main} to its end, within a minute.
	 * @param jvmOptions options of the child JVM, before its class path
	 * @param main the class to run
	 * @param args its arguments
	 * @return what the child printed and its exit value
	 * @throws IOException if the child cannot start
	 * @throws InterruptedException if interrupted while waiting for it
	 */
	public static ChildJvm run(List<String> jvmOptions, Class<?> main, String... args)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(main.getName());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).start();
		process.getOutputStream().close();
		// Both streams at once, so that a child filling one pipe never waits for the
		// other.
		CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> text(process.getErrorStream()));
		String out = text(process.getInputStream());
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("%s ended within a minute", main.getSimpleName()).isTrue();
		return new ChildJvm(out, err.join(), process.exitValue());
	}

	private static String text(InputStream stream) {
		try (stream) {
			return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
