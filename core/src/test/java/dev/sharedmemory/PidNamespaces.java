package dev.sharedmemory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs commands in pid namespaces of their own, as containers do:
 * {@code unshare --pid --fork --mount-proc}, which needs root (CAP_SYS_ADMIN), as CI has.
 * The command becomes process 1 of the new namespace and sees only its own processes in
 * {@code /proc}; {@code --kill-child} kills it should {@code unshare} be killed.
 */
final class PidNamespaces {

	private static final List<String> UNSHARE = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");

	private PidNamespaces() {
	}

	/**
	 * Returns the command that runs the given one in a new pid namespace.
	 * @param command the command
	 * @return the command to start
	 */
	static List<String> inNewPidNamespace(List<String> command) {
		List<String> wrapped = new ArrayList<>(UNSHARE);
		wrapped.addAll(command);
		return wrapped;
	}

	/**
	 * Fails, saying why, unless a pid namespace can be created here: a test that needs
	 * one must not pass without.
	 */
	static void assertAvailable() {
		try {
			Process process = new ProcessBuilder(inNewPidNamespace(List.of("sh", "-c", "echo $$")))
				.redirectErrorStream(true)
				.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			if (!process.waitFor(1, TimeUnit.MINUTES) || process.exitValue() != 0 || !output.equals("1")) {
				fail("Cannot create a pid namespace with %s (exit %s): %s. These tests need root (CAP_SYS_ADMIN) and "
						+ "util-linux's unshare, as CI has; they do not skip.", UNSHARE,
						process.isAlive() ? "none" : process.exitValue(), output);
			}
		}
		catch (IOException ex) {
			fail("Cannot run %s to create a pid namespace: %s. These tests need util-linux's unshare and root, as CI "
					+ "has; they do not skip.", UNSHARE, ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			fail("Interrupted while creating a pid namespace");
		}
	}

}
