package dev.sharedmemory.protocol.pickle;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Writes values as protocol 4 pickles that CPython 3.9 and later read: None,
 * {@link Boolean}, {@link Byte}, {@link Short}, {@link Integer}, {@link Long},
 * {@link BigInteger}, {@link Float}, {@link Double}, {@link String}, {@code byte[]},
 * {@link PickleTuple}, {@link List} and {@link Map}. No frame (optional to readers) and
 * no memo: manager messages are small trees. Stateless and thread-safe.
 */
public final class PickleEncoder {

	private static final int PROTOCOL = 4;

	/**
	 * Encodes a value.
	 * @param value the value
	 * @return the pickle
	 * @throws IllegalArgumentException if the value, or one inside it, has another type
	 */
	public byte[] encode(@Nullable Object value) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(0x80);
		out.write(PROTOCOL);
		write(out, value);
		out.write('.');
		return out.toByteArray();
	}

	private void write(ByteArrayOutputStream out, @Nullable Object value) {
		if (value == null) {
			out.write('N');
		}
		else if (value instanceof Boolean bool) {
			out.write(bool ? 0x88 : 0x89);
		}
		else if (value instanceof Byte || value instanceof Short || value instanceof Integer || value instanceof Long) {
			writeInt(out, ((Number) value).longValue());
		}
		else if (value instanceof BigInteger big) {
			writeBig(out, big);
		}
		else if (value instanceof Double || value instanceof Float) {
			out.write('G');
			writeBigEndian(out, Double.doubleToRawLongBits(((Number) value).doubleValue()), 8);
		}
		else if (value instanceof String text) {
			byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
			writeSized(out, utf8, 0x8c, 'X');
		}
		else if (value instanceof byte[] bytes) {
			writeSized(out, bytes, 'C', 'B');
		}
		else if (value instanceof PickleTuple tuple) {
			writeTuple(out, tuple.items());
		}
		else if (value instanceof List<?> list) {
			out.write(']');
			if (!list.isEmpty()) {
				out.write('(');
				list.forEach((item) -> write(out, item));
				out.write('e');
			}
		}
		else if (value instanceof Map<?, ?> map) {
			out.write('}');
			if (!map.isEmpty()) {
				out.write('(');
				map.forEach((key, item) -> {
					write(out, key);
					write(out, item);
				});
				out.write('u');
			}
		}
		else {
			throw new IllegalArgumentException("Cannot pickle a " + value.getClass().getName());
		}
	}

	private void writeTuple(ByteArrayOutputStream out, List<?> items) {
		switch (items.size()) {
			case 0 -> out.write(')');
			case 1, 2, 3 -> {
				items.forEach((item) -> write(out, item));
				out.write(0x84 + items.size());
			}
			default -> {
				out.write('(');
				items.forEach((item) -> write(out, item));
				out.write('t');
			}
		}
	}

	private static void writeInt(ByteArrayOutputStream out, long value) {
		if (value >= 0 && value <= 0xff) {
			out.write('K');
			out.write((int) value);
		}
		else if (value >= 0 && value <= 0xffff) {
			out.write('M');
			writeLittleEndian(out, value, 2);
		}
		else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
			out.write('J');
			writeLittleEndian(out, value, 4);
		}
		else {
			writeBig(out, BigInteger.valueOf(value));
		}
	}

	/** LONG1 or LONG4: two's complement, little-endian, as short as it goes. */
	private static void writeBig(ByteArrayOutputStream out, BigInteger value) {
		if (value.bitLength() < Integer.SIZE) {
			writeInt(out, value.longValue());
			return;
		}
		byte[] bigEndian = value.toByteArray();
		if (bigEndian.length < 256) {
			out.write(0x8a);
			out.write(bigEndian.length);
		}
		else {
			out.write(0x8b);
			writeLittleEndian(out, bigEndian.length, 4);
		}
		for (int i = bigEndian.length - 1; i >= 0; i--) {
			out.write(bigEndian[i]);
		}
	}

	private static void writeSized(ByteArrayOutputStream out, byte[] bytes, int shortOpcode, int opcode) {
		if (bytes.length < 256) {
			out.write(shortOpcode);
			out.write(bytes.length);
		}
		else {
			out.write(opcode);
			writeLittleEndian(out, bytes.length, 4);
		}
		out.write(bytes, 0, bytes.length);
	}

	private static void writeLittleEndian(ByteArrayOutputStream out, long value, int size) {
		for (int i = 0; i < size; i++) {
			out.write((int) (value >>> (8 * i)));
		}
	}

	private static void writeBigEndian(ByteArrayOutputStream out, long value, int size) {
		for (int i = size - 1; i >= 0; i--) {
			out.write((int) (value >>> (8 * i)));
		}
	}

}
