package dev.sharedmemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes a {@code @TempDir} under {@code /dev/shm}, on the tmpfs where blocks really live:
 * a test's blocks go there, out of everyone else's way, and JUnit removes whatever is
 * left. A test JVM that is killed (a timed-out mutant under PIT, a cancelled build)
 * cannot remove its directory, so each name carries the JVM's pid and every new directory
 * first sweeps those of test JVMs that are gone. Tests that work in {@code /dev/shm}
 * itself name their blocks the same way ({@link #blockName()}), so the sweep removes what
 * a killed one left there too; a block whose name the library generated is written down
 * in a ledger of the JVM's ({@link #recordBlock(Path)}), which the sweep reads.
 */
public class InDevShm implements TempDirFactory {

	static final String PREFIX = "shared-memory-test-";

	private static final Pattern OWNED = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-.*");

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final AtomicBoolean SWEPT = new AtomicBoolean();

	// Outside /dev/shm, so that a test sees there only what tests put there.
	private static final Path LEDGERS = Path.of(System.getProperty("java.io.tmpdir"));

	private static final String LEDGER_SUFFIX = "-blocks";

	private static @Nullable Path ledger;

	@Override
	public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
			throws Exception {
		sweepDeadJvms(DevShm.PATH);
		sweepLedgersOfDeadJvms(LEDGERS);
		return Files.createTempDirectory(DevShm.PATH, PREFIX + ProcessHandle.current().pid() + "-");
	}

	/**
	 * Returns a name for a block that a test creates in {@code /dev/shm} itself, unique
	 * and carrying this JVM's pid; the first call in a JVM sweeps what dead test JVMs
	 * left.
	 * @return the name
	 */
	static String blockName() {
		if (SWEPT.compareAndSet(false, true)) {
			sweepDeadJvms(DevShm.PATH);
			sweepLedgersOfDeadJvms(LEDGERS);
		}
		byte[] random = new byte[6];
		RANDOM.nextBytes(random);
		return PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
	}

	/**
	 * Writes down a block that a test made in {@code /dev/shm} under a name the library
	 * generated ({@code psm_*}), which says nothing of its JVM: if the JVM is killed
	 * before the test unlinks it, the sweep of a later test JVM does. At this JVM's exit
	 * the ledger goes with the blocks it names that are still there: PIT ends a minion
	 * whose mutant timed out with {@code System.exit}, which runs this hook, amid a test
	 * that had no time to unlink its block.
	 * @param block the block's file
	 */
	static synchronized void recordBlock(Path block) {
		Path file = ledger;
		if (file == null) {
			file = LEDGERS.resolve(PREFIX + ProcessHandle.current().pid() + LEDGER_SUFFIX);
			Path exiting = file;
			Runtime.getRuntime().addShutdownHook(new Thread(() -> sweepLedger(exiting)));
			ledger = file;
		}
		try {
			Files.writeString(file, block + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Unlinks the blocks that the ledgers of test JVMs no longer running name, and
	 * removes those ledgers.
	 * @param ledgers where the ledgers are
	 * @return the blocks unlinked
	 */
	static List<Path> sweepLedgersOfDeadJvms(Path ledgers) {
		List<Path> unlinked = new ArrayList<>();
		try (Stream<Path> entries = Files.list(ledgers)) {
			for (Path file : entries.filter((entry) -> entry.getFileName().toString().endsWith(LEDGER_SUFFIX))
				.filter((entry) -> isOfDeadJvm(entry.getFileName().toString()))
				.toList()) {
				unlinked.addAll(sweepLedger(file));
			}
			return unlinked;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Unlinks the blocks of {@code /dev/shm} that a ledger names and are still there, and
	 * removes the ledger.
	 * @param file the ledger
	 * @return the blocks unlinked
	 */
	static List<Path> sweepLedger(Path file) {
		List<Path> unlinked = new ArrayList<>();
		try {
			for (String line : Files.readAllLines(file)) {
				Path block = Path.of(line);
				// Only a block of /dev/shm: a ledger is no licence to delete elsewhere.
				if (block.getParent() != null && block.getParent().equals(DevShm.PATH) && Files.deleteIfExists(block)) {
					unlinked.add(block);
				}
			}
			Files.deleteIfExists(file);
			return unlinked;
		}
		catch (NoSuchFileException ex) {
			// Swept already (the hook, or another JVM's sweep after this one died).
			return unlinked;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Removes the test directories and blocks whose JVM is no longer running.
	 * @param parent where the test directories and blocks are
	 * @return the directories and blocks removed
	 */
	static List<Path> sweepDeadJvms(Path parent) {
		try (Stream<Path> entries = Files.list(parent)) {
			List<Path> dead = entries.filter((entry) -> isOfDeadJvm(entry.getFileName().toString())).toList();
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
