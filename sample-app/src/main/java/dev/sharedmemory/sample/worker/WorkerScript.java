package dev.sharedmemory.sample.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.util.FileSystemUtils;

/**
 * The worker script on disk: the one configured, or the one bundled in the application, copied to a temporary
 * directory so that the application runs the same way from its jar, from any directory, and from the build.
 */
final class WorkerScript implements AutoCloseable {

	static final String BUNDLED = "worker/worker.py";

	private static final Log logger = LogFactory.getLog(WorkerScript.class);

	private final Path path;

	private final @Nullable Path extractedTo;

	private WorkerScript(Path path, @Nullable Path extractedTo) {
		this.path = path;
		this.extractedTo = extractedTo;
	}

	/**
	 * Returns the configured script, or extracts the bundled one.
	 * @param configured the configured script, or {@code null}
	 * @return the script
	 * @throws IllegalStateException if the configured script is not a file
	 */
	static WorkerScript resolve(@Nullable Path configured) {
		if (configured != null) {
			if (!Files.isRegularFile(configured)) {
				throw new IllegalStateException("Worker script " + configured.toAbsolutePath()
						+ " (sample.worker.script) is not a file");
			}
			return new WorkerScript(configured, null);
		}
		try (InputStream bundled = new ClassPathResource(BUNDLED).getInputStream()) {
			Path directory = Files.createTempDirectory("shared-memory-sample-worker");
			Path script = directory.resolve("worker.py");
			Files.copy(bundled, script, StandardCopyOption.REPLACE_EXISTING);
			return new WorkerScript(script, directory);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not extract the bundled worker script " + BUNDLED, ex);
		}
	}

	Path path() {
		return this.path;
	}

	/**
	 * Deletes the script if it was extracted.
	 */
	@Override
	public void close() {
		if (this.extractedTo != null) {
			try {
				FileSystemUtils.deleteRecursively(this.extractedTo);
			}
			catch (IOException ex) {
				// Only a temporary file left behind: not worth failing the application's stop for.
				logger.warn("Could not delete the extracted worker script in " + this.extractedTo + ": " + ex);
			}
		}
	}

}
