package dev.sharedmemory;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes a {@code @TempDir} under {@code /dev/shm}, on the tmpfs where blocks really live: a test's blocks go there,
 * out of everyone else's way, and JUnit removes whatever is left.
 */
public class InDevShm implements TempDirFactory {

	@Override
	public Path createTempDirectory(AnnotatedElementContext elementContext, ExtensionContext extensionContext)
			throws Exception {
		return Files.createTempDirectory(DevShm.PATH, "shared-memory-test-");
	}

}
