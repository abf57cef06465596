package dev.sharedmemory.ndarray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The arrays the interop tests send across: every dtype in both byte orders, both orders,
 * and shapes from 0-d and empty to three dimensions, with data that survives any copy
 * (booleans 0 or 1, floating point numbers neither NaN nor infinite).
 */
final class InteropCases {

	static final List<long[]> SHAPES = List.of(new long[0], new long[] { 0 }, new long[] { 3, 0, 2 }, new long[] { 5 },
			new long[] { 2, 3 }, new long[] { 2, 3, 4 }, new long[] { 1, 4, 1 });

	private InteropCases() {
	}

	/**
	 * Returns every dtype read here: one-byte types once, the others in both byte orders.
	 */
	static List<DType> dtypes() {
		List<DType> dtypes = new ArrayList<>(List.of(DType.BOOL, DType.INT8, DType.UINT8));
		for (DType dtype : List.of(DType.INT16, DType.INT32, DType.INT64, DType.UINT16, DType.UINT32, DType.UINT64,
				DType.FLOAT32, DType.FLOAT64, DType.COMPLEX64, DType.COMPLEX128)) {
			dtypes.add(dtype.withByteOrder(ByteOrder.LITTLE_ENDIAN));
			dtypes.add(dtype.withByteOrder(ByteOrder.BIG_ENDIAN));
		}
		return dtypes;
	}

	/**
	 * Returns the bytes of the given number of elements of a dtype, in its byte order.
	 */
	static byte[] data(DType dtype, long elements, Random random) {
		ByteBuffer data = ByteBuffer.allocate((int) elements * dtype.itemSize()).order(dtype.byteOrder());
		while (data.hasRemaining()) {
			switch (dtype.kind()) {
				case BOOL -> data.put((byte) random.nextInt(2));
				case FLOAT, COMPLEX -> {
					double value = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(20) - 10);
					if (dtype.itemSize() == 4 || dtype.itemSize() == 8 && dtype.kind() == DType.Kind.COMPLEX) {
						data.putFloat((float) value);
					}
					else {
						data.putDouble(value);
					}
				}
				default -> data.put((byte) random.nextInt());
			}
		}
		return data.array();
	}

	static long elements(long[] shape) {
		long elements = 1;
		for (long dimension : shape) {
			elements *= dimension;
		}
		return elements;
	}

	static long[] lastIndex(long[] shape) {
		long[] last = shape.clone();
		for (int i = 0; i < last.length; i++) {
			last[i]--;
		}
		return last;
	}

}
