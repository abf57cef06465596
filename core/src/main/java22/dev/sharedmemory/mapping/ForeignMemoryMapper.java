package dev.sharedmemory.mapping;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;

/**
 * Maps blocks with {@link FileChannel#map(MapMode, long, long, Arena)}, JDK 22's final foreign memory API, each block
 * one mapping whatever its size. What owns the mapping depends on the block's size, because unmapping at once has a
 * price that only a large block is worth:
 * <ul>
 * <li>A block of {@value #PROMPT_UNMAP_BYTES} bytes or more is owned by a shared {@link Arena}.
 * {@link MappedRegion#release()} closes it, which unmaps the block at once, so its memory goes back to the system
 * without a garbage collection; the JDK makes every later access through a view handed out earlier, from any thread,
 * throw {@link IllegalStateException}. Closing a shared arena is a handshake with every thread of the JVM: about
 * 15 µs with a few threads, 100 µs and more with the 200 of a web server's pool, little beside what filling 16 MiB
 * costs.</li>
 * <li>A smaller block is owned by an automatic arena, as a {@code MappedByteBuffer} is on JDK 17: release drops this
 * region's reference, the garbage collector unmaps it once no view is left, and a view kept past close goes on
 * reading and writing the block until then. Closing costs nothing, with any number of threads, and the
 * {@link UnmapBacklog} keeps what waits for the collector in bounds.</li>
 * </ul>
 * No {@code sun.misc.Unsafe}, no restricted method: nothing for the JDK to warn about.
 */
final class ForeignMemoryMapper implements MemoryMapper {

	/** The size from which a block is unmapped at once on close: 16 MiB. */
	static final long PROMPT_UNMAP_BYTES = 16L << 20;

	@Override
	public MappedRegion map(FileChannel channel, long size) throws IOException {
		if (size < PROMPT_UNMAP_BYTES) {
			UnmapBacklog.INSTANCE.reserveRoom();
			MemorySegment segment = channel.map(MapMode.READ_WRITE, 0, size, Arena.ofAuto());
			// The mapping outlives the descriptor, as with mmap(2) followed by close(2).
			channel.close();
			// The JDK unmaps the segment once its scope, which every view holds, is
			// unreachable.
			return new CollectedRegion(segment, UnmapBacklog.INSTANCE.register(segment.scope(), size));
		}
		Arena arena = Arena.ofShared();
		try {
			MemorySegment segment = channel.map(MapMode.READ_WRITE, 0, size, arena);
			channel.close();
			return new UnmappedOnReleaseRegion(arena, segment);
		}
		catch (IOException | RuntimeException ex) {
			arena.close();
			throw ex;
		}
	}

	@Override
	public boolean unmapsOnRelease(long size) {
		return size >= PROMPT_UNMAP_BYTES;
	}

	@Override
	public String name() {
		return "ffm";
	}

	private static ByteBuffer view(MemorySegment segment, long offset, int length) {
		return segment.asSlice(offset, length).asByteBuffer().order(ByteOrder.nativeOrder());
	}

	private static final class CollectedRegion implements MappedRegion {

		// Dropped on release, so that a closed handle someone still references does not
		// keep the block mapped.
		private volatile MemorySegment segment;

		private final UnmapBacklog.Entry backlogEntry;

		CollectedRegion(MemorySegment segment, UnmapBacklog.Entry backlogEntry) {
			this.segment = segment;
			this.backlogEntry = backlogEntry;
		}

		@Override
		public ByteBuffer slice(long offset, int length) {
			MemorySegment mapped = this.segment;
			if (mapped == null) {
				throw new IllegalStateException("the mapping is closed");
			}
			return view(mapped, offset, length);
		}

		@Override
		public void release() {
			this.segment = null;
			this.backlogEntry.released();
		}

	}

	private static final class UnmappedOnReleaseRegion implements MappedRegion {

		private final Arena arena;

		private final MemorySegment segment;

		UnmappedOnReleaseRegion(Arena arena, MemorySegment segment) {
			this.arena = arena;
			this.segment = segment;
		}

		@Override
		public ByteBuffer slice(long offset, int length) {
			return view(this.segment, offset, length);
		}

		@Override
		public void release() {
			try {
				this.arena.close();
			}
			catch (IllegalStateException ex) {
				// An I/O operation in another thread (FileChannel.write of a view, say)
				// holds the memory until it returns; the arena stays open, so the caller
				// can try again then.
				throw new IllegalStateException("the mapping is in use by an I/O operation in another thread ("
						+ ex.getMessage() + "); close again once it has completed", ex);
			}
		}

	}

}
