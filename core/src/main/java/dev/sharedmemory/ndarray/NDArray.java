package dev.sharedmemory.ndarray;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.Objects;
import java.util.function.LongFunction;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryException;

/**
 * An n-dimensional array of numbers in a shared memory block, as numpy holds one: a
 * {@link DType}, a shape, an {@link Order} and the elements. {@link #create created}
 * arrays are in numpy's {@code .npy} layout, so the block describes itself and numpy
 * opens it zero-copy, and sees every write: <pre>
 * a = np.load("/dev/shm/" + name, mmap_mode="r+")
 * </pre> {@link #attach attach} reads such a block whichever side wrote it
 * ({@code np.save} into {@code /dev/shm}, {@code np.lib.format.open_memmap}), and
 * {@link #wrap wrap} reads a plain block, or part of one, as an array of a dtype and
 * shape passed along some other way (such as an {@link NDArrayDescriptor}).
 * <p>
 * Elements are read and written by index ({@link #getDouble(long...)},
 * {@link #setDouble(double, long...)}, ...; for one to three dimensions, overloads such
 * as {@link #getDouble(long, long)} take the indices one by one, with no array to
 * allocate), through typed views of the data in the array's byte order
 * ({@link #doubles()}, ...), and in bulk from and to Java arrays
 * ({@link #copyTo(long, double[], int, int)}, ...) at the speed of a memory copy. Each
 * accessor serves the dtypes of its Java type: {@code getDouble} {@code float64},
 * {@code getInt} {@code int32} and {@code uint32} (unsigned values as the same bits),
 * {@code getBoolean} {@code bool}; a complex array is read as its real and imaginary
 * parts, interleaved, through the views and bulk copies of its part type. An array larger
 * than 2 GiB is reached through windows ({@link #data(long, int)}); index access and bulk
 * copies work at any size.
 * <p>
 * Like the block, an array is thread-safe in the way memory is: nothing is locked.
 * {@link #close()} closes the block and never unlinks it; {@code shm().unlink()} does.
 * After close, every access throws {@link IllegalStateException}.
 */
public final class NDArray implements AutoCloseable {

	// A power of two, so that no element (of 1 to 16 bytes, each a power of two)
	// straddles two windows; the largest one a ByteBuffer holds.
	private static final int WINDOW_SHIFT = 30;

	private static final long WINDOW_BYTES = 1L << WINDOW_SHIFT;

	private static final long WINDOW_MASK = WINDOW_BYTES - 1;

	// What an attach reads of a block before it maps it: all of the header numpy writes,
	// but for arrays of many dimensions (it is 128 bytes up to about four); the rest of a
	// longer one is read from the mapping.
	private static final int HEAD_BYTES = 256;

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	private final SharedMemory shm;

	private final DType dtype;

	private final Order order;

	private final long[] shape;

	private final long[] strides;

	private final long size;

	private final long nbytes;

	private final long dataOffset;

	private final int headerLength;

	private final ByteBuffer[] windows;

	// What element access by one to three indices reads, so that it reads fields of this
	// object only, no array: the first window, the first three dimensions and strides,
	// and the element type and number of dimensions as one key that one comparison
	// checks.
	private final ByteBuffer firstWindow;

	private final long shape0;

	private final long shape1;

	private final long shape2;

	private final long stride0;

	private final long stride1;

	private final long stride2;

	private final int accessKey;

	// The Java type of an element ('D' double, 'J' long, ..., 'Z' boolean; 0 for complex)
	// and of a value in a view.
	private final char elementType;

	private final char valueType;

	private final int valueBytes;

	private NDArray(SharedMemory shm, long dataOffset, int headerLength, DType dtype, Order order, long[] shape,
			long nbytes) {
		this.shm = shm;
		this.dtype = dtype;
		this.order = order;
		this.shape = shape;
		this.nbytes = nbytes;
		this.size = (nbytes == 0) ? 0 : nbytes / dtype.itemSize();
		this.strides = strides(dtype, order, shape);
		this.dataOffset = dataOffset;
		this.headerLength = headerLength;
		this.windows = new ByteBuffer[(int) ((nbytes + WINDOW_MASK) >>> WINDOW_SHIFT)];
		for (int i = 0; i < this.windows.length; i++) {
			long start = (long) i << WINDOW_SHIFT;
			this.windows[i] = shm.buf(dataOffset + start, (int) Math.min(WINDOW_BYTES, nbytes - start))
				.order(dtype.byteOrder());
		}
		boolean complex = dtype.kind() == DType.Kind.COMPLEX;
		this.valueBytes = complex ? dtype.itemSize() / 2 : dtype.itemSize();
		this.valueType = switch (dtype.kind()) {
			case BOOL -> 'B';
			case INT, UINT -> switch (dtype.itemSize()) {
				case 1 -> 'B';
				case 2 -> 'S';
				case 4 -> 'I';
				default -> 'J';
			};
			case FLOAT, COMPLEX -> (this.valueBytes == 4) ? 'F' : 'D';
		};
		this.elementType = complex ? 0 : (dtype.kind() == DType.Kind.BOOL) ? 'Z' : this.valueType;
		this.firstWindow = (this.windows.length > 0) ? this.windows[0] : EMPTY;
		this.shape0 = (shape.length > 0) ? shape[0] : 0;
		this.shape1 = (shape.length > 1) ? shape[1] : 0;
		this.shape2 = (shape.length > 2) ? shape[2] : 0;
		this.stride0 = (shape.length > 0) ? this.strides[0] : 0;
		this.stride1 = (shape.length > 1) ? this.strides[1] : 0;
		this.stride2 = (shape.length > 2) ? this.strides[2] : 0;
		this.accessKey = accessKey(this.elementType, shape.length);
	}

	/**
	 * Returns the key of element access of a type with a number of indices: a complex
	 * array (element type 0) has a key no accessor asks for.
	 */
	private static int accessKey(char elementType, int indices) {
		return (elementType << 8) | indices;
	}

	/**
	 * Creates an array of zeros in a new block under a generated name, in the
	 * {@code .npy} layout: the block holds exactly what {@code np.save} writes for such
	 * an array.
	 * @param directory where to create the block
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array
	 * @throws IllegalArgumentException if a dimension is negative, there are more than
	 * 64, or the array is larger than a block can be
	 * @throws dev.sharedmemory.SharedMemoryException if the block cannot be created
	 */
	public static NDArray create(SharedMemoryDirectory directory, DType dtype, Order order, long... shape) {
		return create(directory, null, dtype, order, shape);
	}

	/**
	 * Creates an array of zeros in a new block under the given name, in the {@code .npy}
	 * layout: the block holds exactly what {@code np.save} writes for such an array.
	 * @param directory where to create the block
	 * @param name the block's name, or {@code null} for a generated one
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array
	 * @throws IllegalArgumentException if a dimension is negative, there are more than
	 * 64, or the array is larger than a block can be
	 * @throws dev.sharedmemory.SharedMemoryExistsException if the name is taken
	 * @throws dev.sharedmemory.SharedMemoryException if the block cannot be created
	 */
	public static NDArray create(SharedMemoryDirectory directory, @Nullable String name, DType dtype, Order order,
			long... shape) {
		Objects.requireNonNull(directory, "directory must not be null");
		return create((size) -> (name != null) ? directory.create(name, size) : directory.create(size), dtype, order,
				shape);
	}

	/**
	 * Creates an array of zeros, in the {@code .npy} layout, in a block of the size it
	 * needs that the given function creates: how a
	 * {@link dev.sharedmemory.SharedMemoryManager} creates one that it tracks. If writing
	 * the header fails, the block is closed and unlinked.
	 * @param blocks creates a new block of the given size in bytes
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array
	 * @throws IllegalArgumentException if a dimension is negative, there are more than
	 * 64, or the array is larger than a block can be; no block is created then
	 */
	public static NDArray create(LongFunction<SharedMemory> blocks, DType dtype, Order order, long... shape) {
		Objects.requireNonNull(blocks, "blocks must not be null");
		Objects.requireNonNull(dtype, "dtype must not be null");
		Objects.requireNonNull(order, "order must not be null");
		long[] dimensions = shape.clone();
		long nbytes = dataBytes(dtype, dimensions);
		byte[] header = NpyLayout.header(dtype, order, dimensions);
		if (nbytes > Long.MAX_VALUE - header.length) {
			throw new IllegalArgumentException("An array of shape " + NpyLayout.tuple(dimensions) + " and dtype "
					+ dtype + " is larger than a block can be");
		}
		long blockSize = header.length + nbytes;
		SharedMemory block = blocks.apply(blockSize);
		try {
			block.buf(0, header.length).put(header);
			return new NDArray(block, header.length, header.length, dtype, order, dimensions, nbytes);
		}
		catch (RuntimeException ex) {
			block.close();
			try {
				block.unlink();
			}
			catch (SharedMemoryException unlinkFailure) {
				ex.addSuppressed(unlinkFailure);
			}
			throw ex;
		}
	}

	/**
	 * Attaches to an array in the {@code .npy} layout, whichever side created it.
	 * @param directory the directory that holds the block
	 * @param name the block's name
	 * @return the array
	 * @throws dev.sharedmemory.SharedMemoryNotFoundException if there is no such block
	 * @throws InvalidNDArrayException if the block holds no array this library reads,
	 * naming the fault; the block is then closed, never unlinked
	 */
	public static NDArray attach(SharedMemoryDirectory directory, String name) {
		Objects.requireNonNull(directory, "directory must not be null");
		// The header is read through the block's file: read through the mapping, it would
		// cost a page fault and, at close, an unmapping, more than the rest of an attach.
		ByteBuffer head = ByteBuffer.allocate(HEAD_BYTES);
		SharedMemory block = directory.attach(name, head);
		try {
			return of(block, NpyLayout.read(block, head.flip()));
		}
		catch (RuntimeException ex) {
			block.close();
			throw ex;
		}
	}

	/**
	 * Attaches to the array a descriptor describes: its block, read as the dtype, shape
	 * and order at the offset the descriptor gives, with no header read.
	 * @param directory the directory that holds the block
	 * @param descriptor the descriptor
	 * @return the array
	 * @throws dev.sharedmemory.SharedMemoryNotFoundException if there is no such block
	 * @throws InvalidNDArrayException if the array does not fit the block; the block is
	 * then closed
	 */
	public static NDArray attach(SharedMemoryDirectory directory, NDArrayDescriptor descriptor) {
		Objects.requireNonNull(directory, "directory must not be null");
		SharedMemory block = directory.attach(descriptor.name());
		try {
			return wrap(block, descriptor.offset(), descriptor.dtype(), descriptor.order(), descriptor.shapeArray());
		}
		catch (RuntimeException ex) {
			block.close();
			throw ex;
		}
	}

	/**
	 * Reads an attached block in the {@code .npy} layout as an array. On failure the
	 * block is left open.
	 * @param block the block; closing the array closes it
	 * @return the array
	 * @throws InvalidNDArrayException if the block holds no array this library reads,
	 * naming the fault
	 * @throws IllegalStateException if the block is closed
	 */
	public static NDArray of(SharedMemory block) {
		Objects.requireNonNull(block, "block must not be null");
		return of(block, NpyLayout.read(block));
	}

	private static NDArray of(SharedMemory block, NpyLayout.Header header) {
		return layOut(block, header.dataOffset(), header.dataOffset(), header.dtype(), header.order(), header.shape(),
				"holds no valid .npy array");
	}

	/**
	 * Reads part of a block as an array with no header, as
	 * {@code np.ndarray(shape, dtype, buffer=shm.buf,
	 * offset=offset, order=order)} does in Python. As in numpy, the offset need not be a
	 * multiple of the item size: such an array is read and written all the same, if more
	 * slowly ({@code flags.aligned} is {@code False} in numpy).
	 * @param block the block; closing the array closes it
	 * @param offset where the first element lies in the block
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions, none for a 0-d array (one element)
	 * @return the array
	 * @throws InvalidNDArrayException if the array does not fit the block or its shape is
	 * invalid, naming the fault
	 * @throws IllegalStateException if the block is closed
	 */
	public static NDArray wrap(SharedMemory block, long offset, DType dtype, Order order, long... shape) {
		Objects.requireNonNull(block, "block must not be null");
		Objects.requireNonNull(dtype, "dtype must not be null");
		Objects.requireNonNull(order, "order must not be null");
		if (offset < 0 || offset > block.size()) {
			throw new InvalidNDArrayException(block.name(), "Shared memory block '" + block.name() + "' of "
					+ block.size() + " bytes cannot hold an array at offset " + offset);
		}
		return layOut(block, offset, 0, dtype, order, shape.clone(), "cannot hold the array");
	}

	private static NDArray layOut(SharedMemory block, long dataOffset, int headerLength, DType dtype, Order order,
			long[] shape, String fault) {
		long nbytes;
		try {
			nbytes = dataBytes(dtype, shape);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidNDArrayException(block.name(),
					"Shared memory block '" + block.name() + "' " + fault + ": " + ex.getMessage());
		}
		if (nbytes > block.size() - dataOffset) {
			throw new InvalidNDArrayException(block.name(),
					"Shared memory block '" + block.name() + "' " + fault + ": shape " + NpyLayout.tuple(shape) + " of "
							+ dtype + " needs " + nbytes + " bytes of data from offset " + dataOffset
							+ ", but the block has " + block.size() + " bytes");
		}
		return new NDArray(block, dataOffset, headerLength, dtype, order, shape, nbytes);
	}

	/**
	 * Returns the bytes of data of an array, checking its shape; as numpy, a dimension of
	 * 0 makes the others irrelevant to the size but not to the check.
	 */
	private static long dataBytes(DType dtype, long[] shape) {
		if (shape.length > NpyLayout.MAX_DIMENSIONS) {
			throw new IllegalArgumentException("shape " + NpyLayout.tuple(shape) + " has " + shape.length
					+ " dimensions, more than numpy's " + NpyLayout.MAX_DIMENSIONS);
		}
		long bytes = dtype.itemSize();
		boolean empty = false;
		for (long dimension : shape) {
			if (dimension < 0) {
				throw new IllegalArgumentException("shape " + NpyLayout.tuple(shape) + " has a negative dimension");
			}
			if (dimension == 0) {
				empty = true;
				continue;
			}
			if (bytes > Long.MAX_VALUE / dimension) {
				throw new IllegalArgumentException(
						"shape " + NpyLayout.tuple(shape) + " of " + dtype + " holds more bytes than a long counts");
			}
			bytes *= dimension;
		}
		return empty ? 0 : bytes;
	}

	/**
	 * Returns the strides in bytes as numpy computes them for an array over a buffer
	 * ({@code np.load} with {@code mmap_mode}, {@code np.ndarray(buffer=...)}): a
	 * dimension of 0 steps as one of 1 would.
	 */
	private static long[] strides(DType dtype, Order order, long[] shape) {
		long[] strides = new long[shape.length];
		long stride = dtype.itemSize();
		for (int i = 0; i < shape.length; i++) {
			int axis = (order == Order.C) ? shape.length - 1 - i : i;
			strides[axis] = stride;
			stride *= Math.max(1, shape[axis]);
		}
		return strides;
	}

	/**
	 * Returns the block that holds the array.
	 * @return the block
	 */
	public SharedMemory shm() {
		return this.shm;
	}

	/**
	 * Returns the type of the elements.
	 * @return the dtype
	 */
	public DType dtype() {
		return this.dtype;
	}

	/**
	 * Returns the order of the elements in memory.
	 * @return the order
	 */
	public Order order() {
		return this.order;
	}

	/**
	 * Returns the dimensions, as numpy's {@code shape}.
	 * @return a copy of the dimensions; empty for a 0-d array
	 */
	public long[] shape() {
		return this.shape.clone();
	}

	/**
	 * Returns the number of dimensions, as numpy's {@code ndim}.
	 * @return the number of dimensions
	 */
	public int ndim() {
		return this.shape.length;
	}

	/**
	 * Returns how many bytes to step in memory for one step along each dimension, as
	 * numpy's {@code strides}.
	 * @return a copy of the strides, in bytes
	 */
	public long[] strides() {
		return this.strides.clone();
	}

	/**
	 * Returns the number of elements, as numpy's {@code size}: 1 for a 0-d array, 0 for
	 * an empty one.
	 * @return the number of elements
	 */
	public long size() {
		return this.size;
	}

	/**
	 * Returns the size of the data in bytes, as numpy's {@code nbytes}.
	 * @return the size of the data
	 */
	public long nbytes() {
		return this.nbytes;
	}

	/**
	 * Returns the length of the {@code .npy} preamble and header in the block, so that a
	 * raw reader can skip it.
	 * @return the header's length in bytes, or 0 for an array {@link #wrap wrapped}
	 * without one
	 */
	public int headerLength() {
		return this.headerLength;
	}

	/**
	 * Returns where the data starts in the block.
	 * @return the offset of the first element in bytes
	 */
	public long dataOffset() {
		return this.dataOffset;
	}

	/**
	 * Returns a descriptor of the array, to pass to another process as JSON.
	 * @return the descriptor
	 */
	public NDArrayDescriptor descriptor() {
		return NDArrayDescriptor.of(this.shm.name(), this.shm.size(), this.dtype, this.order, this.shape,
				this.dataOffset);
	}

	/**
	 * Returns a view of the whole data in the array's byte order.
	 * @return a view with position 0 and limit {@link #nbytes()}
	 * @throws IllegalStateException if the array is closed, or its data is larger than a
	 * {@link ByteBuffer} can address (use {@link #data(long, int)} then)
	 */
	public ByteBuffer data() {
		checkOpen();
		if (this.nbytes > SharedMemory.MAX_BUFFER_BYTES) {
			throw new IllegalStateException(this + " holds " + this.nbytes + " bytes of data, more than one "
					+ "ByteBuffer can address (" + SharedMemory.MAX_BUFFER_BYTES + "); use data(offset, length)");
		}
		return this.shm.buf(this.dataOffset, (int) this.nbytes).order(this.dtype.byteOrder());
	}

	/**
	 * Returns a view of part of the data in the array's byte order: the way to reach all
	 * the data of an array larger than 2 GiB.
	 * @param offset where the view starts, in bytes from the first element
	 * @param length how many bytes it covers
	 * @return a view with position 0 and limit {@code length}
	 * @throws IndexOutOfBoundsException if the window does not lie within the data
	 * @throws IllegalStateException if the array is closed
	 */
	public ByteBuffer data(long offset, int length) {
		checkOpen();
		Objects.checkFromIndexSize(offset, length, this.nbytes);
		return this.shm.buf(this.dataOffset + offset, length).order(this.dtype.byteOrder());
	}

	/**
	 * Returns a view of the data of a {@code float64} or {@code complex128} array.
	 * @return the view, in the array's byte order
	 * @throws IllegalStateException if the array is of another dtype, closed, or larger
	 * than 2 GiB
	 */
	public DoubleBuffer doubles() {
		requireValues('D', "doubles()");
		return data().asDoubleBuffer();
	}

	/**
	 * Returns a view of the data of a {@code float32} or {@code complex64} array.
	 * @return the view, in the array's byte order
	 * @throws IllegalStateException if the array is of another dtype, closed, or larger
	 * than 2 GiB
	 */
	public FloatBuffer floats() {
		requireValues('F', "floats()");
		return data().asFloatBuffer();
	}

	/**
	 * Returns a view of the data of an {@code int64} or {@code uint64} array.
	 * @return the view, in the array's byte order
	 * @throws IllegalStateException if the array is of another dtype, closed, or larger
	 * than 2 GiB
	 */
	public LongBuffer longs() {
		requireValues('J', "longs()");
		return data().asLongBuffer();
	}

	/**
	 * Returns a view of the data of an {@code int32} or {@code uint32} array.
	 * @return the view, in the array's byte order
	 * @throws IllegalStateException if the array is of another dtype, closed, or larger
	 * than 2 GiB
	 */
	public IntBuffer ints() {
		requireValues('I', "ints()");
		return data().asIntBuffer();
	}

	/**
	 * Returns a view of the data of an {@code int16} or {@code uint16} array.
	 * @return the view, in the array's byte order
	 * @throws IllegalStateException if the array is of another dtype, closed, or larger
	 * than 2 GiB
	 */
	public ShortBuffer shorts() {
		requireValues('S', "shorts()");
		return data().asShortBuffer();
	}

	/**
	 * Reads an element of a {@code float64} array.
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @throws IndexOutOfBoundsException if an index is out of its dimension's bounds
	 * @throws IllegalArgumentException if there is not one index per dimension
	 * @throws IllegalStateException if the array is of another dtype or closed
	 */
	public double getDouble(long... index) {
		long at = element('D', "getDouble", index);
		return window(at).getDouble(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getDouble(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public double getDouble(long i) {
		long at = element('D', "getDouble", i);
		return window(at).getDouble(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getDouble(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public double getDouble(long i, long j) {
		long at = element('D', "getDouble", i, j);
		return window(at).getDouble(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getDouble(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public double getDouble(long i, long j, long k) {
		long at = element('D', "getDouble", i, j, k);
		return window(at).getDouble(within(at));
	}

	/**
	 * Writes an element of a {@code float64} array.
	 * @param value the value
	 * @param index one index per dimension, none for a 0-d array
	 * @throws IndexOutOfBoundsException if an index is out of its dimension's bounds
	 * @throws IllegalArgumentException if there is not one index per dimension
	 * @throws IllegalStateException if the array is of another dtype or closed
	 */
	public void setDouble(double value, long... index) {
		long at = element('D', "setDouble", index);
		window(at).putDouble(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as
	 * {@link #setDouble(double, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 */
	public void setDouble(double value, long i) {
		long at = element('D', "setDouble", i);
		window(at).putDouble(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as
	 * {@link #setDouble(double, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setDouble(double value, long i, long j) {
		long at = element('D', "setDouble", i, j);
		window(at).putDouble(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as
	 * {@link #setDouble(double, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setDouble(double value, long i, long j, long k) {
		long at = element('D', "setDouble", i, j, k);
		window(at).putDouble(within(at), value);
	}

	/**
	 * Reads an element of a {@code float32} array.
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public float getFloat(long... index) {
		long at = element('F', "getFloat", index);
		return window(at).getFloat(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getFloat(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public float getFloat(long i) {
		long at = element('F', "getFloat", i);
		return window(at).getFloat(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getFloat(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public float getFloat(long i, long j) {
		long at = element('F', "getFloat", i, j);
		return window(at).getFloat(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getFloat(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public float getFloat(long i, long j, long k) {
		long at = element('F', "getFloat", i, j, k);
		return window(at).getFloat(within(at));
	}

	/**
	 * Writes an element of a {@code float32} array.
	 * @param value the value
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setFloat(float value, long... index) {
		long at = element('F', "setFloat", index);
		window(at).putFloat(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as {@link #setFloat(float, long...)}
	 * does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 */
	public void setFloat(float value, long i) {
		long at = element('F', "setFloat", i);
		window(at).putFloat(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as {@link #setFloat(float, long...)}
	 * does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setFloat(float value, long i, long j) {
		long at = element('F', "setFloat", i, j);
		window(at).putFloat(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as
	 * {@link #setFloat(float, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setFloat(float value, long i, long j, long k) {
		long at = element('F', "setFloat", i, j, k);
		window(at).putFloat(within(at), value);
	}

	/**
	 * Reads an element of an {@code int64} or {@code uint64} array (an unsigned value as
	 * its bits, as {@link Long#toUnsignedString(long)} reads them).
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public long getLong(long... index) {
		long at = element('J', "getLong", index);
		return window(at).getLong(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getLong(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public long getLong(long i) {
		long at = element('J', "getLong", i);
		return window(at).getLong(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getLong(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public long getLong(long i, long j) {
		long at = element('J', "getLong", i, j);
		return window(at).getLong(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getLong(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public long getLong(long i, long j, long k) {
		long at = element('J', "getLong", i, j, k);
		return window(at).getLong(within(at));
	}

	/**
	 * Writes an element of an {@code int64} or {@code uint64} array.
	 * @param value the value (for {@code uint64}, its bits)
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setLong(long value, long... index) {
		long at = element('J', "setLong", index);
		window(at).putLong(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as {@link #setLong(long, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint64}, its bits)
	 * @param i the index in dimension 0
	 */
	public void setLong(long value, long i) {
		long at = element('J', "setLong", i);
		window(at).putLong(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as {@link #setLong(long, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint64}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setLong(long value, long i, long j) {
		long at = element('J', "setLong", i, j);
		window(at).putLong(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as {@link #setLong(long, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint64}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setLong(long value, long i, long j, long k) {
		long at = element('J', "setLong", i, j, k);
		window(at).putLong(within(at), value);
	}

	/**
	 * Reads an element of an {@code int32} or {@code uint32} array (an unsigned value as
	 * its bits, as {@link Integer#toUnsignedLong(int)} reads them).
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public int getInt(long... index) {
		long at = element('I', "getInt", index);
		return window(at).getInt(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getInt(long...)} does, with
	 * no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public int getInt(long i) {
		long at = element('I', "getInt", i);
		return window(at).getInt(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getInt(long...)} does, with
	 * no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public int getInt(long i, long j) {
		long at = element('I', "getInt", i, j);
		return window(at).getInt(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getInt(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public int getInt(long i, long j, long k) {
		long at = element('I', "getInt", i, j, k);
		return window(at).getInt(within(at));
	}

	/**
	 * Writes an element of an {@code int32} or {@code uint32} array.
	 * @param value the value (for {@code uint32}, its bits)
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setInt(int value, long... index) {
		long at = element('I', "setInt", index);
		window(at).putInt(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as {@link #setInt(int, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint32}, its bits)
	 * @param i the index in dimension 0
	 */
	public void setInt(int value, long i) {
		long at = element('I', "setInt", i);
		window(at).putInt(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as {@link #setInt(int, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint32}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setInt(int value, long i, long j) {
		long at = element('I', "setInt", i, j);
		window(at).putInt(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as {@link #setInt(int, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint32}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setInt(int value, long i, long j, long k) {
		long at = element('I', "setInt", i, j, k);
		window(at).putInt(within(at), value);
	}

	/**
	 * Reads an element of an {@code int16} or {@code uint16} array (an unsigned value as
	 * its bits).
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public short getShort(long... index) {
		long at = element('S', "getShort", index);
		return window(at).getShort(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getShort(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public short getShort(long i) {
		long at = element('S', "getShort", i);
		return window(at).getShort(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getShort(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public short getShort(long i, long j) {
		long at = element('S', "getShort", i, j);
		return window(at).getShort(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getShort(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public short getShort(long i, long j, long k) {
		long at = element('S', "getShort", i, j, k);
		return window(at).getShort(within(at));
	}

	/**
	 * Writes an element of an {@code int16} or {@code uint16} array.
	 * @param value the value (for {@code uint16}, its bits)
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setShort(short value, long... index) {
		long at = element('S', "setShort", index);
		window(at).putShort(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as {@link #setShort(short, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint16}, its bits)
	 * @param i the index in dimension 0
	 */
	public void setShort(short value, long i) {
		long at = element('S', "setShort", i);
		window(at).putShort(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as {@link #setShort(short, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint16}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setShort(short value, long i, long j) {
		long at = element('S', "setShort", i, j);
		window(at).putShort(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as
	 * {@link #setShort(short, long...)} does, with no index array to allocate.
	 * @param value the value (for {@code uint16}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setShort(short value, long i, long j, long k) {
		long at = element('S', "setShort", i, j, k);
		window(at).putShort(within(at), value);
	}

	/**
	 * Reads an element of an {@code int8} or {@code uint8} array (an unsigned value as
	 * its bits).
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public byte getByte(long... index) {
		long at = element('B', "getByte", index);
		return window(at).get(within(at));
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getByte(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public byte getByte(long i) {
		long at = element('B', "getByte", i);
		return window(at).get(within(at));
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getByte(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public byte getByte(long i, long j) {
		long at = element('B', "getByte", i, j);
		return window(at).get(within(at));
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getByte(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public byte getByte(long i, long j, long k) {
		long at = element('B', "getByte", i, j, k);
		return window(at).get(within(at));
	}

	/**
	 * Writes an element of an {@code int8} or {@code uint8} array.
	 * @param value the value (for {@code uint8}, its bits)
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setByte(byte value, long... index) {
		long at = element('B', "setByte", index);
		window(at).put(within(at), value);
	}

	/**
	 * Writes an element of a one-dimensional array, as {@link #setByte(byte, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint8}, its bits)
	 * @param i the index in dimension 0
	 */
	public void setByte(byte value, long i) {
		long at = element('B', "setByte", i);
		window(at).put(within(at), value);
	}

	/**
	 * Writes an element of a two-dimensional array, as {@link #setByte(byte, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint8}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setByte(byte value, long i, long j) {
		long at = element('B', "setByte", i, j);
		window(at).put(within(at), value);
	}

	/**
	 * Writes an element of a three-dimensional array, as {@link #setByte(byte, long...)}
	 * does, with no index array to allocate.
	 * @param value the value (for {@code uint8}, its bits)
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setByte(byte value, long i, long j, long k) {
		long at = element('B', "setByte", i, j, k);
		window(at).put(within(at), value);
	}

	/**
	 * Reads an element of a {@code bool} array: any byte but 0 is {@code true}, as in
	 * numpy.
	 * @param index one index per dimension, none for a 0-d array
	 * @return the element
	 * @see #getDouble(long...)
	 */
	public boolean getBoolean(long... index) {
		long at = element('Z', "getBoolean", index);
		return window(at).get(within(at)) != 0;
	}

	/**
	 * Reads an element of a one-dimensional array, as {@link #getBoolean(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @return the element
	 */
	public boolean getBoolean(long i) {
		long at = element('Z', "getBoolean", i);
		return window(at).get(within(at)) != 0;
	}

	/**
	 * Reads an element of a two-dimensional array, as {@link #getBoolean(long...)} does,
	 * with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @return the element
	 */
	public boolean getBoolean(long i, long j) {
		long at = element('Z', "getBoolean", i, j);
		return window(at).get(within(at)) != 0;
	}

	/**
	 * Reads an element of a three-dimensional array, as {@link #getBoolean(long...)}
	 * does, with no index array to allocate.
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 * @return the element
	 */
	public boolean getBoolean(long i, long j, long k) {
		long at = element('Z', "getBoolean", i, j, k);
		return window(at).get(within(at)) != 0;
	}

	/**
	 * Writes an element of a {@code bool} array, as 1 or 0.
	 * @param value the value
	 * @param index one index per dimension, none for a 0-d array
	 * @see #setDouble(double, long...)
	 */
	public void setBoolean(boolean value, long... index) {
		long at = element('Z', "setBoolean", index);
		window(at).put(within(at), (byte) (value ? 1 : 0));
	}

	/**
	 * Writes an element of a one-dimensional array, as
	 * {@link #setBoolean(boolean, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 */
	public void setBoolean(boolean value, long i) {
		long at = element('Z', "setBoolean", i);
		window(at).put(within(at), (byte) (value ? 1 : 0));
	}

	/**
	 * Writes an element of a two-dimensional array, as
	 * {@link #setBoolean(boolean, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 */
	public void setBoolean(boolean value, long i, long j) {
		long at = element('Z', "setBoolean", i, j);
		window(at).put(within(at), (byte) (value ? 1 : 0));
	}

	/**
	 * Writes an element of a three-dimensional array, as
	 * {@link #setBoolean(boolean, long...)} does, with no index array to allocate.
	 * @param value the value
	 * @param i the index in dimension 0
	 * @param j the index in dimension 1
	 * @param k the index in dimension 2
	 */
	public void setBoolean(boolean value, long i, long j, long k) {
		long at = element('Z', "setBoolean", i, j, k);
		window(at).put(within(at), (byte) (value ? 1 : 0));
	}

	/**
	 * Copies values of a {@code float64} or {@code complex128} array (real and imaginary
	 * parts interleaved) into a Java array, in memory order.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @throws IndexOutOfBoundsException if either range is out of bounds
	 * @throws IllegalStateException if the array is of another dtype or closed
	 */
	public void copyTo(long first, double[] target, int offset, int length) {
		transfer('D', "copyTo(double[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.asDoubleBuffer().get(target, at, count));
	}

	/**
	 * Copies values from a Java array into a {@code float64} or {@code complex128} array,
	 * in memory order.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @throws IndexOutOfBoundsException if either range is out of bounds
	 * @throws IllegalStateException if the array is of another dtype or closed
	 */
	public void copyFrom(long first, double[] source, int offset, int length) {
		transfer('D', "copyFrom(double[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.asDoubleBuffer().put(source, at, count));
	}

	/**
	 * Copies values of a {@code float32} or {@code complex64} array into a Java array.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @see #copyTo(long, double[], int, int)
	 */
	public void copyTo(long first, float[] target, int offset, int length) {
		transfer('F', "copyTo(float[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.asFloatBuffer().get(target, at, count));
	}

	/**
	 * Copies values from a Java array into a {@code float32} or {@code complex64} array.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @see #copyFrom(long, double[], int, int)
	 */
	public void copyFrom(long first, float[] source, int offset, int length) {
		transfer('F', "copyFrom(float[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.asFloatBuffer().put(source, at, count));
	}

	/**
	 * Copies values of an {@code int64} or {@code uint64} array into a Java array.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @see #copyTo(long, double[], int, int)
	 */
	public void copyTo(long first, long[] target, int offset, int length) {
		transfer('J', "copyTo(long[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.asLongBuffer().get(target, at, count));
	}

	/**
	 * Copies values from a Java array into an {@code int64} or {@code uint64} array.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @see #copyFrom(long, double[], int, int)
	 */
	public void copyFrom(long first, long[] source, int offset, int length) {
		transfer('J', "copyFrom(long[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.asLongBuffer().put(source, at, count));
	}

	/**
	 * Copies values of an {@code int32} or {@code uint32} array into a Java array.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @see #copyTo(long, double[], int, int)
	 */
	public void copyTo(long first, int[] target, int offset, int length) {
		transfer('I', "copyTo(int[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.asIntBuffer().get(target, at, count));
	}

	/**
	 * Copies values from a Java array into an {@code int32} or {@code uint32} array.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @see #copyFrom(long, double[], int, int)
	 */
	public void copyFrom(long first, int[] source, int offset, int length) {
		transfer('I', "copyFrom(int[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.asIntBuffer().put(source, at, count));
	}

	/**
	 * Copies values of an {@code int16} or {@code uint16} array into a Java array.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @see #copyTo(long, double[], int, int)
	 */
	public void copyTo(long first, short[] target, int offset, int length) {
		transfer('S', "copyTo(short[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.asShortBuffer().get(target, at, count));
	}

	/**
	 * Copies values from a Java array into an {@code int16} or {@code uint16} array.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @see #copyFrom(long, double[], int, int)
	 */
	public void copyFrom(long first, short[] source, int offset, int length) {
		transfer('S', "copyFrom(short[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.asShortBuffer().put(source, at, count));
	}

	/**
	 * Copies values of an {@code int8}, {@code uint8} or {@code bool} array into a Java
	 * array.
	 * @param first the first value to copy, counted in memory order from the start of the
	 * data
	 * @param target the array to copy into
	 * @param offset where in it the first value goes
	 * @param length how many values to copy
	 * @see #copyTo(long, double[], int, int)
	 */
	public void copyTo(long first, byte[] target, int offset, int length) {
		transfer('B', "copyTo(byte[])", first, offset, length, target.length,
				(bytes, at, count) -> bytes.get(target, at, count));
	}

	/**
	 * Copies values from a Java array into an {@code int8}, {@code uint8} or {@code bool}
	 * array.
	 * @param first the first value to write, counted in memory order from the start of
	 * the data
	 * @param source the array to copy from
	 * @param offset where in it the first value is
	 * @param length how many values to copy
	 * @see #copyFrom(long, double[], int, int)
	 */
	public void copyFrom(long first, byte[] source, int offset, int length) {
		transfer('B', "copyFrom(byte[])", first, offset, length, source.length,
				(bytes, at, count) -> bytes.put(source, at, count));
	}

	/**
	 * Closes the block that holds the array; never unlinks it. Idempotent.
	 */
	@Override
	public void close() {
		this.shm.close();
	}

	/**
	 * Copies a range of values window by window: each window is a whole number of values,
	 * so no value is split.
	 */
	private void transfer(char type, String method, long first, int offset, int length, int arrayLength, Chunk chunk) {
		requireValues(type, method);
		checkOpen();
		Objects.checkFromIndexSize(offset, length, arrayLength);
		Objects.checkFromIndexSize(first, length, this.nbytes / this.valueBytes);
		long at = first * this.valueBytes;
		while (length > 0) {
			ByteBuffer window = window(at);
			int within = within(at);
			int count = Math.min(length, (window.capacity() - within) / this.valueBytes);
			chunk.copy(window.slice(within, count * this.valueBytes).order(this.dtype.byteOrder()), offset, count);
			at += (long) count * this.valueBytes;
			offset += count;
			length -= count;
		}
	}

	/**
	 * Returns the byte offset of an element of a one-dimensional array in the data,
	 * checking the dtype, the index and that the array is open: the checks that pass cost
	 * one branch each, and the messages are built only when one fails.
	 */
	private long element(char type, String method, long i) {
		if (this.accessKey != accessKey(type, 1) || this.shm.isClosed()) {
			throw refused(type, method, 1);
		}
		// An unsigned comparison catches a negative index too.
		if (Long.compareUnsigned(i, this.shape0) >= 0) {
			throw outOfBounds(i);
		}
		return i * this.stride0;
	}

	private long element(char type, String method, long i, long j) {
		if (this.accessKey != accessKey(type, 2) || this.shm.isClosed()) {
			throw refused(type, method, 2);
		}
		if (Long.compareUnsigned(i, this.shape0) >= 0 | Long.compareUnsigned(j, this.shape1) >= 0) {
			throw outOfBounds(i, j);
		}
		return i * this.stride0 + j * this.stride1;
	}

	private long element(char type, String method, long i, long j, long k) {
		if (this.accessKey != accessKey(type, 3) || this.shm.isClosed()) {
			throw refused(type, method, 3);
		}
		if (Long.compareUnsigned(i, this.shape0) >= 0 | Long.compareUnsigned(j, this.shape1) >= 0
				| Long.compareUnsigned(k, this.shape2) >= 0) {
			throw outOfBounds(i, j, k);
		}
		return i * this.stride0 + j * this.stride1 + k * this.stride2;
	}

	private long element(char type, String method, long[] index) {
		if (this.elementType != type || index.length != this.shape.length || this.shm.isClosed()) {
			throw refused(type, method, index.length);
		}
		long at = 0;
		for (int i = 0; i < index.length; i++) {
			if (Long.compareUnsigned(index[i], this.shape[i]) >= 0) {
				throw outOfBounds(index);
			}
			at += index[i] * this.strides[i];
		}
		return at;
	}

	/**
	 * Returns why an element accessor with the given number of indices was refused.
	 */
	private RuntimeException refused(char type, String method, int indices) {
		if (this.elementType != type) {
			return wrongType(method);
		}
		if (this.shm.isClosed()) {
			return closed();
		}
		return new IllegalArgumentException(method + " was given " + indices + " indices for " + this + ", which has "
				+ this.shape.length + " dimensions");
	}

	private IndexOutOfBoundsException outOfBounds(long... index) {
		int dimension = 0;
		while (index[dimension] >= 0 && index[dimension] < this.shape[dimension]) {
			dimension++;
		}
		return new IndexOutOfBoundsException("Index " + index[dimension] + " is out of bounds for dimension "
				+ dimension + " of " + this + ", of size " + this.shape[dimension]);
	}

	private ByteBuffer window(long at) {
		return (at < WINDOW_BYTES) ? this.firstWindow : this.windows[(int) (at >>> WINDOW_SHIFT)];
	}

	private static int within(long at) {
		return (int) (at & WINDOW_MASK);
	}

	private void requireValues(char type, String method) {
		if (this.valueType != type) {
			throw wrongType(method);
		}
	}

	private IllegalStateException wrongType(String method) {
		return new IllegalStateException(
				method + " does not serve " + this + ", whose dtype is " + this.dtype + " (" + this.dtype.name() + ")");
	}

	private void checkOpen() {
		if (this.shm.isClosed()) {
			throw closed();
		}
	}

	private IllegalStateException closed() {
		return new IllegalStateException(this + " is closed");
	}

	@Override
	public String toString() {
		return "NDArray('" + this.shm.name() + "', dtype=" + this.dtype + ", shape=" + NpyLayout.tuple(this.shape)
				+ ", order=" + this.order + ")";
	}

	@FunctionalInterface
	private interface Chunk {

		void copy(ByteBuffer bytes, int offset, int count);

	}

}
