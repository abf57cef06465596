package dev.sharedmemory.protocol;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The standalone registry: blocks recorded with their inode, unlinked only while the name
 * still holds that inode, release and shutdown idempotent.
 */
class DirectorySegmentRegistryTests {

	private static final Peer PEER = new Peer("127.0.0.1:1", null);

	@TempDir
	Path directory;

	@Test
	void tracksOnlyRegularFilesWithValidNames() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		Files.createDirectory(this.directory.resolve("dir"));
		Files.createSymbolicLink(this.directory.resolve("link"), Files.createFile(this.directory.resolve("target")));
		assertThatIllegalArgumentException().isThrownBy(() -> registry.track("missing", PEER))
			.withMessage("No shared memory block 'missing' in " + this.directory + " to track");
		assertThatIllegalArgumentException().isThrownBy(() -> registry.track("dir", PEER));
		assertThatIllegalArgumentException().isThrownBy(() -> registry.track("link", PEER));
		assertThatIllegalArgumentException().isThrownBy(() -> registry.track("../etc/passwd", PEER))
			.withMessageContaining("must not contain '/'");
		registry.track("/target", PEER);
		assertThat(registry.names()).containsExactly("target");
		assertThat(registry.peer("target")).isEqualTo(PEER);
	}

	@Test
	void neverUnlinksAFileThatTookATrackedNameLater() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		Path block = Files.createFile(this.directory.resolve("a"));
		Path other = Files.createFile(this.directory.resolve("b"));
		registry.track("a", PEER);
		registry.track("b", PEER);
		Files.delete(block);
		Files.move(other, block);
		registry.releaseAll();
		assertThat(block).exists();
	}

	@Test
	void shutdownGoesOnPastBlocksAlreadyGoneAndIsIdempotent() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		for (String name : new String[] { "a", "b", "c" }) {
			Files.createFile(this.directory.resolve(name));
			registry.track(name, PEER);
		}
		Files.delete(this.directory.resolve("a"));
		registry.close();
		registry.close();
		assertThat(this.directory.resolve("b")).doesNotExist();
		assertThat(this.directory.resolve("c")).doesNotExist();
		assertThat(registry.names()).isEmpty();
	}

	@Test
	void releaseUnlinksOnlyWhatIsTrackedAndDropsBlocksTheirCreatorRemoved() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		Path tracked = Files.createFile(this.directory.resolve("tracked"));
		Path untracked = Files.createFile(this.directory.resolve("untracked"));
		Path removed = Files.createFile(this.directory.resolve("removed"));
		registry.track("tracked", PEER);
		registry.track("removed", PEER);
		registry.release("untracked");
		registry.release("tracked");
		registry.release("tracked");
		Files.delete(removed);
		assertThat(untracked).exists();
		assertThat(tracked).doesNotExist();
		assertThat(registry.names()).isEmpty();
	}

}
