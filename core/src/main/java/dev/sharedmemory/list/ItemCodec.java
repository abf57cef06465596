package dev.sharedmemory.list;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import static dev.sharedmemory.list.ShareableListLayout.BOOL_TRUE;
import static dev.sharedmemory.list.ShareableListLayout.WORD;

/**
 * Turns Java values into what a {@link dev.sharedmemory.ShareableList} item holds and
 * back: checks and sizes a value, writes it straight into its slot in Python's order
 * (format, code, value), and reads a value out of its slot.
 */
public final class ItemCodec {

	/**
	 * What {@link #encodedLength(int, Object)} returns for a value held in one 8-byte
	 * word: an int, a float, a bool or None.
	 */
	public static final int WORD_VALUE = -1;

	private static final byte[] ZEROS = new byte[4096];

	private ItemCodec() {
	}

	/**
	 * Checks a value and returns how many bytes it takes: a str's UTF-8 length, a bytes
	 * value's length, or {@link #WORD_VALUE} for the rest.
	 * @param index the item's index, for messages
	 * @param value null, a Boolean, a Long, Integer, Short or Byte, a Double or Float, a
	 * String or a byte[]
	 * @return the length in bytes, or {@link #WORD_VALUE}
	 * @throws IllegalArgumentException if the value has another type, or is a String with
	 * an unpaired surrogate
	 */
	public static int encodedLength(int index, @Nullable Object value) {
		if (value instanceof String text) {
			return utf8Length(index, text);
		}
		if (value instanceof byte[] bytes) {
			return bytes.length;
		}
		if (value == null || isInt(value) || isFloat(value) || value instanceof Boolean) {
			return WORD_VALUE;
		}
		throw unsupported(index, value);
	}

	// Counts without encoding, so that a value that does not fit fails before anything
	// is allocated.
	private static int utf8Length(int index, String text) {
		int length = text.length();
		for (int i = 0; i < text.length(); i++) {
			char ch = text.charAt(i);
			if (ch < 0x80) {
				continue;
			}
			if (ch < 0x800) {
				length += 1;
			}
			else if (Character.isHighSurrogate(ch) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1))) {
				// Two chars, four bytes.
				length += 2;
				i++;
			}
			else if (Character.isSurrogate(ch)) {
				throw new IllegalArgumentException("Item " + index + " is a String with an unpaired surrogate"
						+ " at char " + i + ", which has no UTF-8 encoding");
			}
			else {
				length += 2;
			}
		}
		return length;
	}

	/**
	 * Writes an item, as Python does: the format, then the code, then the value. A str or
	 * bytes value takes the whole slot, NUL-padded, as
	 * {@code struct.pack_into("<slot>s")} writes it. (CPython keeps a str format already
	 * there, which in any list CPython or this class wrote is this same {@code <slot>s}.)
	 * @param buffer the whole block
	 * @param header the list's header
	 * @param index the item, already checked
	 * @param value the value, already checked by {@link #encodedLength(int, Object)} to
	 * fit the slot
	 */
	public static void write(ByteBuffer buffer, ShareableListHeader header, int index, @Nullable Object value) {
		if (value instanceof String text) {
			writeSized(buffer, header, index, ItemType.STR, text.getBytes(StandardCharsets.UTF_8));
		}
		else if (value instanceof byte[] bytes) {
			writeSized(buffer, header, index, ItemType.BYTES, bytes);
		}
		else if (value == null) {
			writeWord(buffer, header, index, ItemType.NONE, 0);
		}
		else if (value instanceof Boolean bool) {
			writeWord(buffer, header, index, ItemType.BOOL, bool ? BOOL_TRUE : 0);
		}
		else if (isInt(value)) {
			writeWord(buffer, header, index, ItemType.INT, ((Number) value).longValue());
		}
		else if (isFloat(value)) {
			writeWord(buffer, header, index, ItemType.FLOAT,
					Double.doubleToRawLongBits(((Number) value).doubleValue()));
		}
		else {
			throw unsupported(index, value);
		}
	}

	private static void writeSized(ByteBuffer buffer, ShareableListHeader header, int index, ItemType type,
			byte[] bytes) {
		int slot = header.slot(index);
		int size = header.slotSize(index);
		buffer.putLong(header.formatOffset(index), ShareableListLayout.formatOf(type, size));
		buffer.put(header.codeOffset(index), ShareableListLayout.codeOf(type));
		buffer.put(slot, bytes);
		for (int at = slot + bytes.length, end = slot + size; at < end; at += ZEROS.length) {
			buffer.put(at, ZEROS, 0, Math.min(ZEROS.length, end - at));
		}
	}

	/**
	 * Writes an int, float, bool or None item: what the typed setters use, allocating
	 * nothing.
	 * @param buffer the whole block
	 * @param header the list's header
	 * @param index the item, already checked
	 * @param type the type, one of the 8-byte ones
	 * @param bits the slot's first 8 bytes, as a native-endian long
	 */
	public static void writeWord(ByteBuffer buffer, ShareableListHeader header, int index, ItemType type, long bits) {
		buffer.putLong(header.formatOffset(index), ShareableListLayout.formatOf(type, WORD));
		buffer.put(header.codeOffset(index), ShareableListLayout.codeOf(type));
		buffer.putLong(header.slot(index), bits);
	}

	private static boolean isInt(Object value) {
		return value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
	}

	private static boolean isFloat(Object value) {
		return value instanceof Double || value instanceof Float;
	}

	private static IllegalArgumentException unsupported(int index, Object value) {
		return new IllegalArgumentException("Item " + index + " cannot be stored in a ShareableList: "
				+ value.getClass().getName() + " is none of null, Boolean, Long, Integer, Short, Byte, Double,"
				+ " Float, String and byte[]");
	}

	/**
	 * Reads a bool item.
	 * @param buffer the whole block
	 * @param slot where the item's slot starts
	 * @return the value
	 */
	public static boolean readBool(ByteBuffer buffer, int slot) {
		return buffer.get(ShareableListLayout.boolOffset(slot)) != 0;
	}

	/**
	 * Reads a str item, without its trailing NULs and without an incomplete last
	 * character.
	 * @param buffer the whole block
	 * @param slot where the item's slot starts
	 * @param size the size its format gives, at most the slot's
	 * @return the text
	 */
	public static String readString(ByteBuffer buffer, int slot, int size) {
		// The whole value in one copy, as Python's unpack_from reads it, then stripped on
		// the heap: one access to the block instead of one per word.
		byte[] utf8 = new byte[size];
		buffer.get(slot, utf8);
		int end = size;
		while (end > 0 && utf8[end - 1] == 0) {
			end--;
		}
		return new String(utf8, 0, completeUtf8Length(utf8, end), StandardCharsets.UTF_8);
	}

	/**
	 * Reads a bytes item, without its trailing NULs, as Python's back-transform strips
	 * them.
	 * @param buffer the whole block
	 * @param slot where the item's slot starts
	 * @param size the size its format gives, at most the slot's
	 * @return a new array
	 */
	public static byte[] readBytes(ByteBuffer buffer, int slot, int size) {
		int end = size;
		while (end >= WORD && buffer.getLong(slot + end - WORD) == 0) {
			end -= WORD;
		}
		while (end > 0 && buffer.get(slot + end - 1) == 0) {
			end--;
		}
		byte[] bytes = new byte[end];
		buffer.get(slot, bytes);
		return bytes;
	}

	/**
	 * Returns how many of a str's bytes to decode: all but an incomplete UTF-8 sequence
	 * at the end, which CPython leaves when it cuts a multi-byte text at its
	 * character-counted slot size (gh-88336).
	 * @param utf8 the bytes, trailing NULs already stripped
	 * @param length how many of them hold the text
	 * @return the number of bytes to decode
	 */
	public static int completeUtf8Length(byte[] utf8, int length) {
		int lead = length - 1;
		// At most three continuation bytes can follow a lead byte.
		while (lead >= 0 && length - lead <= 3 && (utf8[lead] & 0xC0) == 0x80) {
			lead--;
		}
		if (lead < 0) {
			return length;
		}
		int first = utf8[lead] & 0xFF;
		int sequenceLength = (first >= 0xF0 && first <= 0xF4) ? 4
				: (first >= 0xE0) ? 3 : (first >= 0xC2 && first < 0xE0) ? 2 : 1;
		return (length - lead < sequenceLength && first >= 0xC2 && first <= 0xF4) ? lead : length;
	}

}
