package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.util.Objects;

import dev.sharedmemory.mapping.MappedRegion;

/**
 * A named block of memory shared between processes: Python's
 * {@code multiprocessing.shared_memory.SharedMemory} for the JVM, byte for byte. A block
 * Python created under a name is attached here with {@link #attach(String)}, and the
 * other way round.
 * <p>
 * {@link #close()} ends this process's use of the block; {@link #unlink()} removes the
 * block's name so that the memory is freed once every process has closed it. Closing
 * never unlinks, and the two may come in either order. The static methods work in
 * {@link SharedMemoryDirectory#defaultDirectory()}; the directory's own methods work in
 * any other.
 * <p>
 * <strong>When the mapping is released.</strong> After {@code close()}, every method that
 * reaches the data throws {@link IllegalStateException}. What a buffer from
 * {@link #buf()} kept past close does depends on the JDK, as the library holds two
 * implementations and picks one at run time
 * ({@link SharedMemoryDirectory#mappingImplementation()} names it):
 * <ul>
 * <li>On JDK 22 and later ({@code ffm}, on {@code java.lang.foreign}), {@code close()} of
 * a block of 16 MiB or more unmaps it at once. Every later access through a kept buffer
 * throws {@link IllegalStateException}, in any thread, including one reading while the
 * block is being closed. While an I/O operation in another thread uses one of the block's
 * buffers (a {@code FileChannel.write}, say), {@code close()} throws
 * {@link IllegalStateException} and leaves the block open, to be closed again once the
 * operation is done.</li>
 * <li>A smaller block on JDK 22 and later, and every block on JDK 17 to 21 ({@code nio}),
 * stays mapped until the garbage collector finds no buffer from {@link #buf()} left: a
 * caller that kept such a buffer after close goes on reading and writing the block.
 * Closing then costs no handshake with the JVM's threads, and the library asks for a
 * collection itself before closed blocks hold too many mappings or too much memory.
 * Setting the system property {@code dev.sharedmemory.mapping} to {@code nio} chooses
 * this for every size on JDK 22 and later too.</li>
 * </ul>
 * Neither ever crashes the JVM. An unlinked block's memory returns to the system once no
 * process maps it, so in the second case only after a garbage collection: until then its
 * pages count against the directory's free space. Instances are thread-safe.
 */
public final class SharedMemory implements AutoCloseable {

	/**
	 * The most bytes one view from {@link #buf()} or {@link #buf(long, int)} covers: the
	 * JDK's largest array, which bounds a {@link ByteBuffer} made from foreign memory on
	 * JDK 22 and later (and so, for one rule, on every JDK).
	 */
	public static final int MAX_BUFFER_BYTES = Integer.MAX_VALUE - 8;

	private final SharedMemoryDirectory directory;

	private final String name;

	private final long size;

	private final MappedRegion region;

	private volatile boolean closed;

	// Set before this handle unlinks the block, so that its manager, told of the file's
	// removal, knows it was this process that removed it, not someone else.
	private volatile boolean unlinkedHere;

	SharedMemory(SharedMemoryDirectory directory, String name, long size, MappedRegion region) {
		this.directory = directory;
		this.name = name;
		this.size = size;
		this.region = region;
	}

	/**
	 * Creates a block under a new generated name ({@code psm_} and 8 lowercase hex
	 * characters).
	 * @param size the size in bytes, at least 1
	 * @return the new block
	 * @see SharedMemoryDirectory#create(long)
	 */
	public static SharedMemory create(long size) {
		return SharedMemoryDirectory.defaultDirectory().create(size);
	}

	/**
	 * Creates a block under the given name, exclusively and with mode {@code 0600}.
	 * @param name the name, with or without a leading slash
	 * @param size the size in bytes, at least 1
	 * @return the new block
	 * @see SharedMemoryDirectory#create(String, long)
	 */
	public static SharedMemory create(String name, long size) {
		return SharedMemoryDirectory.defaultDirectory().create(name, size);
	}

	/**
	 * Attaches to an existing block; its size comes from the block.
	 * @param name the name, with or without a leading slash
	 * @return the block
	 * @see SharedMemoryDirectory#attach(String)
	 */
	public static SharedMemory attach(String name) {
		return SharedMemoryDirectory.defaultDirectory().attach(name);
	}

	/**
	 * Returns the block's name, without a leading slash, as Python's {@code name} does.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns the block's size in bytes, exactly as created.
	 * @return the size
	 */
	public long size() {
		return this.size;
	}

	/**
	 * Returns the directory that holds the block.
	 * @return the directory
	 */
	public SharedMemoryDirectory directory() {
		return this.directory;
	}

	/**
	 * Returns a new view of the whole block in native byte order; every process sees a
	 * write at once. Each call returns an independent view with its own position and
	 * limit.
	 * @return a view with position 0 and limit {@link #size()}
	 * @throws IllegalStateException if the block is closed, or larger than a
	 * {@link ByteBuffer} can address (use {@link #buf(long, int)} then)
	 */
	public ByteBuffer buf() {
		checkOpen();
		if (this.size > MAX_BUFFER_BYTES) {
			throw new IllegalStateException("Shared memory block '" + this.name + "' is " + this.size
					+ " bytes, more than one ByteBuffer can address (" + MAX_BUFFER_BYTES
					+ "); use buf(offset, length) for a window of it");
		}
		return this.region.slice(0, (int) this.size);
	}

	/**
	 * Returns a new view of part of the block in native byte order: the way to reach
	 * every byte of a block larger than 2 GiB.
	 * @param offset where the view starts
	 * @param length how many bytes it covers
	 * @return a view with position 0 and limit {@code length}
	 * @throws IndexOutOfBoundsException if the window does not lie within the block
	 * @throws IllegalArgumentException if the length is more than
	 * {@link #MAX_BUFFER_BYTES}
	 * @throws IllegalStateException if the block is closed
	 */
	public ByteBuffer buf(long offset, int length) {
		checkOpen();
		Objects.checkFromIndexSize(offset, length, this.size);
		if (length > MAX_BUFFER_BYTES) {
			throw new IllegalArgumentException("A window of shared memory block '" + this.name + "' is at most "
					+ MAX_BUFFER_BYTES + " bytes, asked for " + length);
		}
		return this.region.slice(offset, length);
	}

	/**
	 * Ends this process's use of the block; the block itself lives on. Idempotent.
	 * @throws IllegalStateException if the mapping cannot be released yet (on JDK 22 and
	 * later, while an I/O operation in another thread uses one of the block's buffers);
	 * the block then stays open
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		synchronized (this) {
			if (!this.closed) {
				try {
					this.region.release();
				}
				catch (IllegalStateException ex) {
					throw new IllegalStateException(
							"Shared memory block '" + this.name + "' cannot be closed yet: " + ex.getMessage(), ex);
				}
				this.closed = true;
			}
		}
	}

	/**
	 * Tells whether {@link #close()} was called.
	 * @return {@code true} once closed
	 */
	public boolean isClosed() {
		return this.closed;
	}

	/**
	 * Removes the block's name, so that its memory is freed once every process has closed
	 * it. Works before or after {@link #close()}.
	 * @throws SharedMemoryNotFoundException if the block was already unlinked
	 */
	public void unlink() {
		this.unlinkedHere = true;
		try {
			this.directory.unlink(this.name);
		}
		catch (RuntimeException ex) {
			// Not this handle's doing after all (perhaps someone else unlinked it first).
			this.unlinkedHere = false;
			throw ex;
		}
	}

	/**
	 * Tells whether {@link #unlink()} was called on this handle and did not fail (or is
	 * under way).
	 */
	boolean isUnlinkedHere() {
		return this.unlinkedHere;
	}

	private void checkOpen() {
		if (this.closed) {
			throw new IllegalStateException("Shared memory block '" + this.name + "' is closed");
		}
	}

	@Override
	public String toString() {
		return "SharedMemory('" + this.name + "', size=" + this.size + ")";
	}

}
