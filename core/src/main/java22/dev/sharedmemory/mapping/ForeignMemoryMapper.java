package dev.sharedmemory.mapping;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;

/**
 * Maps blocks with {@link FileChannel#map(MapMode, long, long, Arena)}, JDK 22's final foreign memory API, where
 * unmapping at close is worth its price, and as JDK 17 does elsewhere. What owns the mapping depends on the block's
 * size:
 * <ul>
 * <li>A block of {@value #PROMPT_UNMAP_BYTES} bytes or more is one mapping owned by a shared {@link Arena}.
 * {@link MappedRegion#release()} closes it, which unmaps the block at once, so its memory goes back to the system
 * without a garbage collection; the JDK makes every later access through a view handed out earlier, from any thread,
 * throw {@link IllegalStateException}. Closing a shared arena is a handshake with every thread of the JVM: about
 * 15 µs with a few threads, 100 µs and more with the 200 of a web server's pool, little beside what filling 16 MiB
 * costs.</li>
 * <li>A smaller block is a {@code MappedByteBuffer}, exactly as on JDK 17 ({@link NioMemoryMapper}): release drops
 * this region's reference, the garbage collector unmaps it once no view is left, and a view kept past close goes on
 * reading and writing the block until then. Closing costs nothing, with any number of threads, and the
 * {@link UnmapBacklog} keeps what waits for the collector in bounds. A buffer of a segment would do the same, but
 * checks the segment's scope on every access: 1 to 6 ns more per element read or written on JDK 25.</li>
 * </ul>
 * No {@code sun.misc.Unsafe}, no restricted method: nothing for the JDK to warn about.
 */
final class ForeignMemoryMapper implements MemoryMapper {

	/** The size from which a block is unmapped at once on close: 16 MiB. */
	static final long PROMPT_UNMAP_BYTES = 16L << 20;

	private final NioMemoryMapper smallBlocks = new NioMemoryMapper();

	@Override
	public MappedRegion map(FileChannel channel, long size) throws IOException {
		if (size < PROMPT_UNMAP_BYTES) {
			return this.smallBlocks.map(channel, size);
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
