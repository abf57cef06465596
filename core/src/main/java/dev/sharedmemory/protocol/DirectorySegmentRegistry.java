package dev.sharedmemory.protocol;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.sharedmemory.SharedMemoryDirectory;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SegmentRegistry} of its own, for a server that no manager backs: it records
 * each tracked block with its inode, and unlinks a block only while the file of that name
 * is still that inode, so that a block someone else removed and a third party re-created
 * under the same name is never touched. {@link #close()} releases everything.
 */
public final class DirectorySegmentRegistry implements SegmentRegistry, AutoCloseable {

	private static final System.Logger logger = System.getLogger(DirectorySegmentRegistry.class.getName());

	private static final int FILE_TYPE_MASK = 0170000;

	private static final int REGULAR_FILE = 0100000;

	private final Path directory;

	private final Map<String, Tracked> tracked = new LinkedHashMap<>();

	/**
	 * Creates a registry over a directory.
	 * @param directory the directory the blocks live in, {@code /dev/shm} for Python's
	 * clients
	 */
	public DirectorySegmentRegistry(Path directory) {
		this.directory = Objects.requireNonNull(directory, "directory must not be null").toAbsolutePath().normalize();
	}

	@Override
	public Path directory() {
		return this.directory;
	}

	@Override
	public void track(String name, Peer peer) {
		String checked = SharedMemoryDirectory.checkName(name);
		Long inode = regularFileInode(checked);
		if (inode == null) {
			throw new IllegalArgumentException(
					"No shared memory block '" + checked + "' in " + this.directory + " to track");
		}
		synchronized (this.tracked) {
			this.tracked.put(checked, new Tracked(inode, peer));
		}
	}

	@Override
	public void release(String name) {
		String checked = SharedMemoryDirectory.checkName(name);
		Tracked block;
		synchronized (this.tracked) {
			block = this.tracked.remove(checked);
		}
		if (block != null) {
			unlinkIfSame(checked, block.inode());
		}
	}

	@Override
	public List<String> names() {
		synchronized (this.tracked) {
			// A client's resource tracker unlinks its blocks at its exit: those are
			// dropped quietly, not reported.
			this.tracked.entrySet()
				.removeIf((entry) -> !Objects.equals(inodeOrNull(entry.getKey()), entry.getValue().inode()));
			return List.copyOf(this.tracked.keySet());
		}
	}

	/**
	 * Returns who asked to track a block.
	 * @param name the block's name
	 * @return the peer, or {@code null} if the block is not tracked
	 */
	public @Nullable Peer peer(String name) {
		synchronized (this.tracked) {
			Tracked block = this.tracked.get(name);
			return (block != null) ? block.peer() : null;
		}
	}

	@Override
	public void releaseAll() {
		List<Map.Entry<String, Tracked>> blocks;
		synchronized (this.tracked) {
			blocks = new ArrayList<>(this.tracked.entrySet());
			this.tracked.clear();
		}
		for (Map.Entry<String, Tracked> block : blocks) {
			unlinkIfSame(block.getKey(), block.getValue().inode());
		}
	}

	/**
	 * Releases every tracked block.
	 */
	@Override
	public void close() {
		releaseAll();
	}

	private void unlinkIfSame(String name, long inode) {
		Path file = this.directory.resolve(name);
		try {
			// The check and the unlink are two steps: a block replaced in between is the
			// one race left, as narrow as CPython's own attach-then-unlink.
			if (Objects.equals(inodeOrNull(name), inode)) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			logger.log(Level.WARNING, "Could not unlink shared memory block ''{0}'' in {1}: {2}", name, this.directory,
					ex.toString());
		}
	}

	private @Nullable Long regularFileInode(String name) {
		try {
			Map<String, Object> attributes = Files.readAttributes(this.directory.resolve(name), "unix:ino,mode",
					LinkOption.NOFOLLOW_LINKS);
			int mode = (Integer) attributes.get("mode");
			return ((mode & FILE_TYPE_MASK) == REGULAR_FILE) ? (Long) attributes.get("ino") : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private @Nullable Long inodeOrNull(String name) {
		try {
			return (Long) Files.getAttribute(this.directory.resolve(name), "unix:ino", LinkOption.NOFOLLOW_LINKS);
		}
		catch (IOException ex) {
			return null;
		}
	}

	private record Tracked(long inode, Peer peer) {
	}

}
