package dev.sharedmemory.sample.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.util.DigestUtils;

/**
 * The worker script on disk: the one configured, or the one bundled in the application,
 * so that the application runs the same way from its jar, from any directory, and from
 * the build.
 * <p>
 * The bundled script is extracted once per user and content, to
 * {@code ${java.io.tmpdir}/shared-memory-sample-worker-<user>-<hash>/worker.py}, and
 * reused by every later start: an application killed with SIGKILL leaves nothing new
 * behind, and instances started side by side share one copy.
 */
final class WorkerScript {

	static final String BUNDLED = "worker/worker.py";

	private final Path path;

	private WorkerScript(Path path) {
		this.path = path;
	}

	/**
	 * Returns the configured script, or the bundled one extracted to the temporary
	 * directory.
	 * @param configured the configured script, or {@code null}
	 * @return the script
	 * @throws IllegalStateException if the configured script is not a file
	 */
	static WorkerScript resolve(@Nullable Path configured) {
		if (configured != null) {
			if (!Files.isRegularFile(configured)) {
				throw new IllegalStateException(
						"Worker script " + configured.toAbsolutePath() + " (sample.worker.script) is not a file");
			}
			return new WorkerScript(configured);
		}
		try (InputStream bundled = new ClassPathResource(BUNDLED).getInputStream()) {
			return new WorkerScript(extract(bundled.readAllBytes(), Path.of(System.getProperty("java.io.tmpdir"))));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract the bundled worker script " + BUNDLED, ex);
		}
	}

	/**
	 * Writes the script to a directory named after the user and the script's content,
	 * unless it is there already.
	 * @param script the script's bytes
	 * @param parent where to create the directory
	 * @return the script's path
	 * @throws IOException if it cannot be written, or the directory is not the user's own
	 */
	static Path extract(byte[] script, Path parent) throws IOException {
		String hash = HexFormat.of().formatHex(DigestUtils.md5Digest(script), 0, 6);
		String user = System.getProperty("user.name");
		String safeUser = user.replaceAll("[^A-Za-z0-9_.-]", "_");
		Path directory = parent.resolve("shared-memory-sample-worker-" + safeUser + "-" + hash);
		if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
			try {
				Files.createDirectory(directory,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
			catch (FileAlreadyExistsException ex) {
				// Created by an instance starting beside this one: checked below like any
				// other.
			}
		}
		// A shared temporary directory: run only what this user wrote, never what another
		// left under that name.
		if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
				|| !Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS).getName().equals(user)) {
			throw new IOException(directory + " is not a directory of user " + user);
		}
		Path path = directory.resolve("worker.py");
		if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(path), script)) {
			return path;
		}
		// Written aside and moved in, so that an instance starting beside this one never
		// runs half a script.
		Path written = Files.write(Files.createTempFile(directory, "worker", ".py"), script);
		Files.move(written, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return path;
	}

	Path path() {
		return this.path;
	}

}
