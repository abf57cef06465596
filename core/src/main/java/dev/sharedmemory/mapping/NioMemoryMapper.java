package dev.sharedmemory.mapping;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Maps blocks with {@link FileChannel#map}, the only public way on JDK 17: the
 * implementation on JDK 17 to 21, and on later JDKs when asked for by name
 * ({@code -Ddev.sharedmemory.mapping=nio}).
 * <p>
 * A {@link MappedByteBuffer} cannot be unmapped on demand: the JDK unmaps it when the
 * garbage collector finds it unreachable. {@link MappedRegion#release()} therefore only
 * drops this region's reference, and a view handed out earlier keeps reading and writing
 * the block until it is collected. That is what makes use after close safe here: memory
 * is never unmapped under a thread that still holds a view. The {@link UnmapBacklog}
 * keeps what waits for the collector in bounds.
 * <p>
 * A {@link ByteBuffer} addresses at most {@link Integer#MAX_VALUE} bytes, so a larger
 * block is not mapped whole: each window is mapped on its own, through the block's
 * channel, kept open until release. A {@link FileChannel} closes itself for good when a
 * thread using it is interrupted; since the channel serves every thread of the block,
 * windows are mapped on a thread of this class's own, which nobody interrupts, and the
 * caller waits for it uninterruptibly (keeping its interrupt status).
 */
final class NioMemoryMapper implements MemoryMapper {

	private final UnmapBacklog backlog;

	NioMemoryMapper() {
		this(UnmapBacklog.INSTANCE);
	}

	/**
	 * Creates a mapper that counts its mappings in the given backlog: the JVM's one, or a
	 * small one of a test's.
	 */
	NioMemoryMapper(UnmapBacklog backlog) {
		this.backlog = backlog;
	}

	@Override
	public MappedRegion map(FileChannel channel, long size) throws IOException {
		this.backlog.reserveRoom();
		if (size <= Integer.MAX_VALUE) {
			MappedByteBuffer whole = channel.map(MapMode.READ_WRITE, 0, size);
			// The mapping outlives the descriptor, as with mmap(2) followed by close(2).
			channel.close();
			return new WholeRegion(whole, this.backlog.register(whole, size));
		}
		extend(channel, size);
		return new WindowedRegion(channel, this.backlog);
	}

	/**
	 * Gives the file its whole size before any window of it is mapped, as mapping it
	 * whole does: a window maps, and so extends the file, only up to its own end, and
	 * another process attaching meanwhile would see a shorter block.
	 */
	private static void extend(FileChannel channel, long size) throws IOException {
		if (channel.size() < size) {
			channel.write(ByteBuffer.allocate(1), size - 1);
		}
	}

	@Override
	public boolean unmapsOnRelease(long size) {
		return false;
	}

	@Override
	public String name() {
		return "nio";
	}

	private static final class WholeRegion implements MappedRegion {

		// Dropped on release, so that a closed handle someone still references does not
		// keep the block mapped.
		private volatile MappedByteBuffer whole;

		private final UnmapBacklog.Entry backlogEntry;

		WholeRegion(MappedByteBuffer whole, UnmapBacklog.Entry backlogEntry) {
			this.whole = whole;
			this.backlogEntry = backlogEntry;
		}

		@Override
		public ByteBuffer slice(long offset, int length) {
			MappedByteBuffer mapped = this.whole;
			if (mapped == null) {
				throw new IllegalStateException("the mapping is closed");
			}
			return mapped.slice((int) offset, length).order(ByteOrder.nativeOrder());
		}

		@Override
		public void release() {
			// The JDK unmaps the buffer once it and every view of it are unreachable.
			this.whole = null;
			this.backlogEntry.released();
		}

	}

	private static final class WindowedRegion implements MappedRegion {

		private static final ExecutorService WINDOW_MAPPER = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "shared-memory-window-mapper");
			thread.setDaemon(true);
			return thread;
		});

		private final FileChannel channel;

		private final UnmapBacklog backlog;

		WindowedRegion(FileChannel channel, UnmapBacklog backlog) {
			this.channel = channel;
			this.backlog = backlog;
		}

		@Override
		public ByteBuffer slice(long offset, int length) {
			try {
				return CompletableFuture.supplyAsync(() -> map(offset, length), WINDOW_MAPPER).join();
			}
			catch (CompletionException ex) {
				if (ex.getCause() instanceof RuntimeException cause) {
					throw cause;
				}
				if (ex.getCause() instanceof Error cause) {
					throw cause;
				}
				throw ex;
			}
		}

		private ByteBuffer map(long offset, int length) {
			try {
				this.backlog.reserveRoom();
				MappedByteBuffer window = this.channel.map(MapMode.READ_WRITE, offset, length);
				// Counted as waiting from the start, and as holding nothing: a window is
				// one more mapping for as long as it is reachable, but its pages are the
				// open block's.
				this.backlog.register(window, 0).released();
				return window.order(ByteOrder.nativeOrder());
			}
			catch (ClosedChannelException ex) {
				// Only release() closes the channel now: a window asked for while another
				// thread closed the block.
				throw new IllegalStateException("Shared memory block was closed while mapping a window of it", ex);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void release() {
			try {
				this.channel.close();
			}
			catch (IOException ex) {
				// Closing a descriptor of a shared memory file does not fail in practice;
				// nothing is lost if it does.
			}
		}

	}

}
