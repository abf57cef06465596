package dev.sharedmemory.list;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import static dev.sharedmemory.list.ShareableListLayout.BOOL_TRUE;
import static dev.sharedmemory.list.ShareableListLayout.WORD;

/**
 * Turns Java values into what a {@link dev.sharedmemory.ShareableList} item holds and
 * back: checks and encodes a value for its slot, writes an item in Python's order
 * (format, code, value), and reads a value out of its slot.
 */
public final class ItemCodec {

	private static final byte[] ZEROS = new byte[4096];

	private ItemCodec() {
	}

	/**
	 * Checks and encodes a value.
	 * @param index the item's index, for messages
	 * @param value null, a Boolean, a Long, Integer, Short or Byte, a Double or Float, a
	 * String or a byte[]
	 * @return the encoded value
	 * @throws IllegalArgumentException if the value has another type, or is a String with
	 * an unpaired surrogate
	 */
	public static EncodedItem encode(int index, @Nullable Object value) {
		if (value == null) {
			return new EncodedItem(ItemType.NONE, 0, null);
		}
		if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
			return new EncodedItem(ItemType.INT, ((Number) value).longValue(), null);
		}
		if (value instanceof Double || value instanceof Float) {
			return new EncodedItem(ItemType.FLOAT, Double.doubleToRawLongBits(((Number) value).doubleValue()), null);
		}
		if (value instanceof Boolean bool) {
			return new EncodedItem(ItemType.BOOL, bool ? BOOL_TRUE : 0, null);
		}
		if (value instanceof String text) {
			return new EncodedItem(ItemType.STR, 0, utf8(index, text));
		}
		if (value instanceof byte[] bytes) {
			return new EncodedItem(ItemType.BYTES, 0, bytes);
		}
		throw new IllegalArgumentException("Item " + index + " cannot be stored in a ShareableList: "
				+ value.getClass().getName() + " is none of null, Boolean, Long, Integer, Short, Byte, Double,"
				+ " Float, String and byte[]");
	}

	private static byte[] utf8(int index, String text) {
		for (int i = 0; i < text.length(); i++) {
			char ch = text.charAt(i);
			if (Character.isHighSurrogate(ch) && i + 1 < text.length()
					&& Character.isLowSurrogate(text.charAt(i + 1))) {
				i++;
			}
			else if (Character.isSurrogate(ch)) {
				throw new IllegalArgumentException("Item " + index + " is a String with an unpaired surrogate"
						+ " at char " + i + ", which has no UTF-8 encoding");
			}
		}
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Writes an item, as Python does: the format, then the code, then the value. A str or
	 * bytes value takes the whole slot, NUL-padded, as
	 * {@code struct.pack_into("<slot>s")} writes it. (CPython keeps a str format already
	 * there, which in any list CPython or this class wrote is this same {@code <slot>s}.)
	 * @param buffer the whole block
	 * @param header the list's header
	 * @param index the item, already checked
	 * @param item the encoded value, already checked to fit the slot
	 */
	public static void write(ByteBuffer buffer, ShareableListHeader header, int index, EncodedItem item) {
		byte[] bytes = item.bytes();
		if (bytes == null) {
			writeWord(buffer, header, index, item.type(), item.bits());
			return;
		}
		int slot = header.slot(index);
		int size = header.slotSize(index);
		buffer.putLong(header.formatOffset(index), ShareableListLayout.formatOf(item.type(), size));
		buffer.put(header.codeOffset(index), ShareableListLayout.codeOf(item.type()));
		buffer.put(slot, bytes);
		for (int at = slot + bytes.length, end = slot + size; at < end; at += ZEROS.length) {
			buffer.put(at, ZEROS, 0, Math.min(ZEROS.length, end - at));
		}
	}

	/**
	 * Writes an int, float, bool or None item without encoding it first: what the typed
	 * setters use, allocating nothing.
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
		byte[] utf8 = readBytes(buffer, slot, size);
		return new String(utf8, 0, completeUtf8Length(utf8, utf8.length), StandardCharsets.UTF_8);
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

	/**
	 * A value checked and encoded for its slot: the 8 bytes of a number, bool or None, or
	 * the bytes of a str or bytes value.
	 *
	 * @param type the item's type
	 * @param bits the slot's first 8 bytes, for a number, bool or None
	 * @param bytes the value's bytes, for a str or bytes value
	 */
	public record EncodedItem(ItemType type, long bits, byte @Nullable [] bytes) {

		/**
		 * Returns the size of the slot CPython would give the value.
		 * @return the slot size
		 */
		public long slotSize() {
			return (this.bytes != null) ? ShareableListLayout.slotSize(this.bytes.length) : WORD;
		}

	}

}
