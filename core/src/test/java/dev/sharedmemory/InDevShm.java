package dev.sharedmemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes a {@code @TempDir} under {@code /dev/shm}, on the tmpfs where blocks really live:
 * a test's blocks go there, out of everyone else's way, and JUnit removes whatever is
 * left. A test JVM that is killed (a timed-out mutant under PIT, a cancelled build)
 * cannot remove its directory, so each name carries the JVM's pid and every new directory
 * first sweeps those of test JVMs that are gone.
 */
public class InDevShm implements TempDirFactory {

	static final String PREFIX = "shared-memory-test-";

	private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

	@Override
	public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
			throws Exception {
		sweepDeadJvms(DevShm.PATH);
		return Files.createTempDirectory(DevShm.PATH, PREFIX + ProcessHandle.current().pid() + "-");
	}

	/**
	 * Removes the test directories whose JVM is no longer running.
	 * @param parent where the test directories are
	 * @return the directories removed
	 */
	static List<Path> sweepDeadJvms(Path parent) {
		try (Stream<Path> entries = Files.list(parent)) {
			List<Path> dead = entries.filter((entry) -> isOfDeadJvm(entry.getFileName().toString()))
				.filter((entry) -> Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS))
				.toList();
			dead.forEach(InDevShm::deleteTree);
			return dead;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean isOfDeadJvm(String name) {
		Matcher matcher = OWNED.matcher(name);
		return matcher.matches() && ProcessHandle.of(Long.parseLong(matcher.group(1))).isEmpty();
	}

	private static void deleteTree(Path root) {
		try {
			Files.walkFileTree(root, new SimpleFileVisitor<>() {

				@Override
				public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
					Files.deleteIfExists(file);
					return FileVisitResult.CONTINUE;
				}

				@Override
				public FileVisitResult postVisitDirectory(Path dir, IOException ex) throws IOException {
					Files.deleteIfExists(dir);
					return FileVisitResult.CONTINUE;
				}

			});
		}
		catch (IOException ex) {
			// Another JVM sweeping the same directory at once: whatever is left goes next
			// time.
		}
	}

}
