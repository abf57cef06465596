package dev.sharedmemory.mapping;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;

/**
 * Maps blocks with {@link FileChannel#map(MapMode, long, long, Arena)}, JDK 22's final foreign memory API.
 * <p>
 * Each block is one mapping, whatever its size, owned by a shared {@link Arena}. {@link MappedRegion#release()}
 * closes the arena, which unmaps the block at once; the JDK makes every later access through a view handed out
 * earlier, from any thread, throw {@link IllegalStateException}, so memory is never read or written after it is gone.
 * No {@code sun.misc.Unsafe}, no restricted method: nothing for the JDK to warn about.
 */
final class ForeignMemoryMapper implements MemoryMapper {

	@Override
	public MappedRegion map(FileChannel channel, long size) throws IOException {
		Arena arena = Arena.ofShared();
		try {
			MemorySegment segment = channel.map(MapMode.READ_WRITE, 0, size, arena);
			// The mapping outlives the descriptor, as with mmap(2) followed by close(2).
			channel.close();
			return new SegmentRegion(arena, segment);
		}
		catch (IOException | RuntimeException ex) {
			arena.close();
			throw ex;
		}
	}

	@Override
	public String name() {
		return "ffm";
	}

	private static final class SegmentRegion implements MappedRegion {

		private final Arena arena;

		private final MemorySegment segment;

		SegmentRegion(Arena arena, MemorySegment segment) {
			this.arena = arena;
			this.segment = segment;
		}

		@Override
		public ByteBuffer slice(long offset, int length) {
			return this.segment.asSlice(offset, length).asByteBuffer().order(ByteOrder.nativeOrder());
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
