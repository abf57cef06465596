package dev.sharedmemory.ndarray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.sharedmemory.SharedMemory;

/**
 * The {@code .npy} layout (numpy's NEP 1, {@code numpy/lib/format.py}), the one place
 * that knows it: <pre>
 * offset 0   magic       \x93NUMPY
 *        6   version     major, minor: 1.0, 2.0 or 3.0
 *        8   header length, little-endian: uint16 in 1.0, uint32 in 2.0 and 3.0
 *        10 or 12        header: a Python literal dict, latin-1 (UTF-8 in 3.0), padded with spaces and a final
 *                        newline so that the data starts at a multiple of {@value #ARRAY_ALIGN}
 *        data offset     the elements, in C or Fortran order
 * </pre> Headers are written exactly as numpy writes them (byte for byte what
 * {@code np.save} and {@code open_memmap} write for the same dtype, order and shape) and
 * read strictly: see {@link NpyHeaderParser}.
 */
final class NpyLayout {

	/** What every {@code .npy} file starts with. */
	static final byte[] MAGIC = { (byte) 0x93, 'N', 'U', 'M', 'P', 'Y' };

	/** The data starts at a multiple of this, numpy's {@code ARRAY_ALIGN}. */
	static final int ARRAY_ALIGN = 64;

	/**
	 * The longest header read: numpy's own reader refuses longer ones by default
	 * ({@code max_header_size}) as unsafe to evaluate. numpy writes headers under 2 KiB
	 * for any dtype read here.
	 */
	static final int MAX_HEADER_LENGTH = 10_000;

	/** The most dimensions an array has, numpy's {@code NPY_MAXDIMS} since numpy 2.0. */
	static final int MAX_DIMENSIONS = 64;

	private static final int VERSION_OFFSET = 6;

	private static final int LENGTH_OFFSET = 8;

	private static final int V1_PREAMBLE = LENGTH_OFFSET + 2;

	private static final int V2_PREAMBLE = LENGTH_OFFSET + 4;

	private static final int V1_MAX_LENGTH = 0xFFFF;

	// numpy pads the header so that the last axis (the first in Fortran order) can grow
	// in place to any length.
	private static final int GROWTH_AXIS_MAX_DIGITS = 21;

	private NpyLayout() {
	}

	/**
	 * Returns the whole header of an array, preamble included, as numpy writes it:
	 * version 1.0 unless the header needs more than 64 KiB, then 2.0.
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions
	 * @return the header; its length is the data's offset
	 */
	static byte[] header(DType dtype, Order order, long[] shape) {
		StringBuilder dict = new StringBuilder(128).append("{'descr': '")
			.append(dtype.descr())
			.append("', 'fortran_order': ")
			.append((order == Order.F) ? "True" : "False")
			.append(", 'shape': ")
			.append(tuple(shape))
			.append(", }");
		if (shape.length > 0) {
			long growing = shape[(order == Order.F) ? shape.length - 1 : 0];
			dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(growing).length())));
		}
		// All ASCII: the dtypes read here have no field names, so latin-1 and version 1.0
		// or 2.0 always do.
		byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
		int preamble = V1_PREAMBLE;
		int length = paddedLength(preamble, text.length);
		if (length > V1_MAX_LENGTH) {
			preamble = V2_PREAMBLE;
			length = paddedLength(preamble, text.length);
		}
		ByteBuffer header = ByteBuffer.allocate(preamble + length).order(ByteOrder.LITTLE_ENDIAN);
		header.put(MAGIC).put((byte) ((preamble == V1_PREAMBLE) ? 1 : 2)).put((byte) 0);
		if (preamble == V1_PREAMBLE) {
			header.putShort((short) length);
		}
		else {
			header.putInt(length);
		}
		header.put(text);
		while (header.position() < header.limit() - 1) {
			header.put((byte) ' ');
		}
		return header.put((byte) '\n').array();
	}

	/**
	 * Pads the dict with at least one space and a newline up to the next multiple of the
	 * alignment, as numpy's {@code _wrap_header} does (a whole {@value #ARRAY_ALIGN}
	 * spaces when it was aligned already).
	 */
	private static int paddedLength(int preamble, int textLength) {
		int withNewline = textLength + 1;
		return withNewline + ARRAY_ALIGN - ((preamble + withNewline) % ARRAY_ALIGN);
	}

	/**
	 * Returns a shape as Python writes a tuple: {@code ()}, {@code (3,)}, {@code (3, 4)}.
	 * @param shape the dimensions
	 * @return the tuple
	 */
	static String tuple(long[] shape) {
		StringBuilder tuple = new StringBuilder("(");
		for (int i = 0; i < shape.length; i++) {
			tuple.append((i > 0) ? ", " : "").append(shape[i]);
		}
		return tuple.append((shape.length == 1) ? ",)" : ")").toString();
	}

	/**
	 * Reads the header of an array in a block. Reads nothing outside the block and
	 * nothing past the header, and allocates at most {@link #MAX_HEADER_LENGTH} bytes.
	 * @param block the block
	 * @return the header
	 * @throws InvalidNDArrayException if the block does not start with a header this
	 * library reads, naming the fault
	 */
	static Header read(SharedMemory block) {
		return read(block, block.buf(0, (int) Math.min(block.size(), V2_PREAMBLE + MAX_HEADER_LENGTH)));
	}

	/**
	 * Reads the header of an array in a block from the given first bytes of the block,
	 * and from the block itself for what lies past them.
	 * @param block the block
	 * @param head the block's first bytes, from index 0 to the limit (its byte order is
	 * set to little-endian)
	 * @return the header
	 * @throws InvalidNDArrayException if the block does not start with a header this
	 * library reads, naming the fault
	 */
	static Header read(SharedMemory block, ByteBuffer head) {
		String name = block.name();
		long size = block.size();
		if (size < V1_PREAMBLE) {
			throw invalid(name, "its " + size + " bytes are fewer than the " + V1_PREAMBLE + " of a .npy preamble");
		}
		ByteBuffer bytes = (head.limit() >= Math.min(size, V2_PREAMBLE)) ? head
				: block.buf(0, (int) Math.min(size, V2_PREAMBLE));
		bytes.order(ByteOrder.LITTLE_ENDIAN);
		for (int i = 0; i < MAGIC.length; i++) {
			if (bytes.get(i) != MAGIC[i]) {
				throw invalid(name, "it does not start with the .npy magic \\x93NUMPY");
			}
		}
		int major = bytes.get(VERSION_OFFSET) & 0xFF;
		int minor = bytes.get(VERSION_OFFSET + 1) & 0xFF;
		if (major < 1 || major > 3 || minor != 0) {
			throw invalid(name, "its .npy format version is " + major + "." + minor + ", not 1.0, 2.0 or 3.0");
		}
		int start = (major == 1) ? V1_PREAMBLE : V2_PREAMBLE;
		if (size < start) {
			throw invalid(name,
					"its " + size + " bytes are fewer than the " + start + " of a version " + major + ".0 preamble");
		}
		long length = (major == 1) ? Short.toUnsignedLong(bytes.getShort(LENGTH_OFFSET))
				: Integer.toUnsignedLong(bytes.getInt(LENGTH_OFFSET));
		if (start + length > size) {
			throw invalid(name,
					"its header length, " + length + " bytes, runs past the end of the block (" + size + " bytes)");
		}
		if (length > MAX_HEADER_LENGTH) {
			throw invalid(name, "its header is " + length + " bytes long, more than the " + MAX_HEADER_LENGTH
					+ " that numpy reads by default");
		}
		byte[] text = new byte[(int) length];
		if (start + length > bytes.limit()) {
			bytes = block.buf(0, start + (int) length);
		}
		bytes.get(start, text);
		NpyHeaderParser.Dict dict;
		DType dtype;
		try {
			dict = NpyHeaderParser.parse(text);
			dtype = DType.parse(dict.descr());
		}
		catch (IllegalArgumentException ex) {
			throw invalid(name, ex.getMessage());
		}
		return new Header(major, start + (int) length, dtype, dict.fortranOrder() ? Order.F : Order.C, dict.shape());
	}

	private static InvalidNDArrayException invalid(String name, String reason) {
		return new InvalidNDArrayException(name,
				"Shared memory block '" + name + "' holds no valid .npy array: " + reason);
	}

	/**
	 * What a block's header says.
	 *
	 * @param majorVersion the format's major version: 1, 2 or 3
	 * @param dataOffset where the data starts: the length of the preamble and header
	 * @param dtype the dtype
	 * @param order the order
	 * @param shape the dimensions
	 */
	record Header(int majorVersion, int dataOffset, DType dtype, Order order, long[] shape) {
	}

}
