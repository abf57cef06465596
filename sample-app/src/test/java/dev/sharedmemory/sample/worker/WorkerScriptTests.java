package dev.sharedmemory.sample.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link WorkerScript}.
 */
class WorkerScriptTests {

	private static final byte[] SCRIPT = "print('worker')\n".getBytes(StandardCharsets.UTF_8);

	@TempDir
	Path tmp;

	@Test
	void bundledScriptIsExtractedOnceAndReusedByLaterStarts() throws Exception {
		Path first = WorkerScript.extract(SCRIPT, this.tmp);
		Path second = WorkerScript.extract(SCRIPT, this.tmp);
		assertThat(second).isEqualTo(first);
		assertThat(first).hasBinaryContent(SCRIPT);
		assertThat(first.getParent().getFileName().toString()).matches("shared-memory-sample-worker-.+-[0-9a-f]{12}");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.getParent())))
			.isEqualTo("rwx------");
		try (var files = Files.list(this.tmp)) {
			assertThat(files).containsExactly(first.getParent());
		}
		try (var files = Files.list(first.getParent())) {
			assertThat(files).containsExactly(first);
		}
	}

	@Test
	void anotherScriptGoesToAnotherDirectory() throws Exception {
		Path first = WorkerScript.extract(SCRIPT, this.tmp);
		Path other = WorkerScript.extract("print('other')\n".getBytes(StandardCharsets.UTF_8), this.tmp);
		assertThat(other.getParent()).isNotEqualTo(first.getParent());
		assertThat(first).hasBinaryContent(SCRIPT);
	}

	@Test
	void aScriptThatWasChangedOnDiskIsWrittenAgain() throws Exception {
		Path script = WorkerScript.extract(SCRIPT, this.tmp);
		Files.writeString(script, "print('tampered')\n");
		assertThat(WorkerScript.extract(SCRIPT, this.tmp)).isEqualTo(script).hasBinaryContent(SCRIPT);
	}

	@Test
	void aLinkInPlaceOfTheDirectoryIsRefused() throws Exception {
		Path script = WorkerScript.extract(SCRIPT, this.tmp);
		Path directory = script.getParent();
		Path elsewhere = Files.move(directory, this.tmp.resolve("elsewhere"));
		Files.createSymbolicLink(directory, elsewhere);
		assertThatIOException().isThrownBy(() -> WorkerScript.extract(SCRIPT, this.tmp))
			.withMessageContaining("is not a directory of user");
	}

}
