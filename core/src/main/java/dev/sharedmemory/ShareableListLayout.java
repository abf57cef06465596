package dev.sharedmemory;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The binary layout of a {@link ShareableList}, exactly as CPython 3.9 to 3.13 write it: the one place that knows
 * where each field lies, what the 8-byte struct formats and the back-transform codes are, and how a value sits in its
 * slot. All integers are native-endian, as {@code struct} in its native mode and {@link SharedMemory#buf()} both use.
 * <pre>
 * offset                 size     content
 * 0                      8        N, the number of items
 * 8                      8(N+1)   where each item's slot starts in the data area; entry N is the data area's length K
 * 8(N+2)                 K        the data area: item i occupies [offset i, offset i+1)
 * 8(N+2)+K               8N       each item's struct format, ASCII, NUL-padded to 8 bytes
 * 8(N+2)+K+8N            N        each item's back-transform code, a signed byte
 * </pre>
 * A format field is handled as one native-endian {@code long}, so that telling an item's type is a comparison with a
 * constant.
 */
final class ShareableListLayout {

	// First: the format constants below are packed with it.
	private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

	/** Bytes of the length field, of each offset entry and of each format field; slots are multiples of it. */
	static final int WORD = 8;

	/** Where the offsets of the slots start. */
	static final int OFFSETS_OFFSET = WORD;

	/** The smallest block a list can have: an empty list's length field and its one offset. */
	static final int EMPTY_LIST_SIZE = 2 * WORD;

	/** Bytes an item takes outside the data area: its offset entry, its format and its code. */
	static final int BYTES_PER_ITEM = WORD + WORD + 1;

	/** Every slot holds at least the 8 bytes of an int, a float, a bool or None. */
	static final int MIN_SLOT_SIZE = WORD;

	/** The largest slot an {@code <S>s} format can describe within its 8 bytes. */
	static final int MAX_SLOT_SIZE = 9_999_999;

	/** The longest str or bytes value that gets a slot of at most {@link #MAX_SLOT_SIZE} bytes. */
	static final int MAX_VALUE_LENGTH = (MAX_SLOT_SIZE / WORD - 1) * WORD + (WORD - 1);

	/** Back-transform code of an int, a float or a bool: the value is used as unpacked. */
	static final byte CODE_VALUE = 0;

	/** Back-transform code of a str: trailing NULs stripped, then decoded from UTF-8. */
	static final byte CODE_STR = 1;

	/** Back-transform code of a bytes value: trailing NULs stripped. */
	static final byte CODE_BYTES = 2;

	/** Back-transform code of None. */
	static final byte CODE_NONE = 3;

	/** Format {@code q}: a signed 64-bit int. */
	static final long FORMAT_INT = pack("q");

	/** Format {@code d}: an IEEE 754 double. */
	static final long FORMAT_FLOAT = pack("d");

	/** Format {@code xxxxxxx?}: a bool in the slot's byte 7. */
	static final long FORMAT_BOOL = pack("xxxxxxx?");

	/** Format {@code xxxxxx?x}: None, written as a zero in the slot's byte 6. */
	static final long FORMAT_NONE = pack("xxxxxx?x");

	/** The slot's first 8 bytes holding {@code True}, as {@code struct.pack("xxxxxxx?", True)} writes them. */
	static final long BOOL_TRUE = 1L << shift(7);

	private ShareableListLayout() {
	}

	/**
	 * Returns where the data area starts.
	 * @param length the number of items
	 * @return the offset from the start of the block
	 */
	static long dataStart(long length) {
		return WORD * (length + 2);
	}

	/**
	 * Returns the exact size of the block of a list.
	 * @param length the number of items
	 * @param dataLength the size of the data area, the sum of the slots
	 * @return the size in bytes
	 */
	static long blockSize(long length, long dataLength) {
		return dataStart(length) + dataLength + (WORD + 1) * length;
	}

	/**
	 * Returns the size of the slot for a str or bytes value, as CPython sizes it: the next multiple of 8 strictly
	 * greater than the length (CPython counts the characters of a str, gh-88336; here it is always the bytes).
	 * @param encodedLength the value's length in bytes
	 * @return the slot size
	 */
	static long slotSize(long encodedLength) {
		return WORD * (encodedLength / WORD + 1);
	}

	/**
	 * Returns the offset of the slots' offset entry of the given item.
	 * @param index the item, or the number of items for the entry that holds the data area's length
	 * @return the offset from the start of the block
	 */
	static int offsetEntry(int index) {
		return OFFSETS_OFFSET + WORD * index;
	}

	/**
	 * Packs an {@code <S>s} format.
	 * @param size the slot size, at most {@link #MAX_SLOT_SIZE}
	 * @return the format field as a native-endian long
	 */
	static long stringFormat(int size) {
		// Digit by digit: every write of a str or bytes item calls this, and building a String here doubled what
		// such a write allocates.
		int digits = 1;
		for (int rest = size; rest >= 10; rest /= 10) {
			digits++;
		}
		long packed = (long) 's' << shift(digits);
		for (int i = digits - 1, rest = size; i >= 0; i--, rest /= 10) {
			packed |= (long) ('0' + rest % 10) << shift(i);
		}
		return packed;
	}

	/**
	 * Reads the size out of an {@code <S>s} format: one to seven ASCII digits, {@code s}, then NULs only.
	 * @param format the format field
	 * @return the size, or -1 if the field is no such format
	 */
	static int stringFormatSize(long format) {
		int size = 0;
		int i = 0;
		for (; i < WORD; i++) {
			int ch = byteAt(format, i);
			if (ch < '0' || ch > '9') {
				break;
			}
			size = size * 10 + (ch - '0');
		}
		if (i == 0 || i == WORD || byteAt(format, i) != 's') {
			return -1;
		}
		for (i++; i < WORD; i++) {
			if (byteAt(format, i) != 0) {
				return -1;
			}
		}
		return size;
	}

	/**
	 * Returns the text of a valid format field, as Python's {@code format} property shows it: the field without its
	 * trailing NULs.
	 * @param format the format field, already checked to be valid
	 * @return the format text
	 */
	static String formatText(long format) {
		StringBuilder text = new StringBuilder(WORD);
		for (int i = 0; i < WORD && byteAt(format, i) != 0; i++) {
			text.append((char) byteAt(format, i));
		}
		return text.toString();
	}

	/**
	 * Describes any format field for an error message: printable ASCII as is, every other byte as {@code \xNN},
	 * trailing NULs dropped.
	 * @param format the format field
	 * @return a readable rendering
	 */
	static String describeFormat(long format) {
		int end = WORD;
		while (end > 0 && byteAt(format, end - 1) == 0) {
			end--;
		}
		StringBuilder text = new StringBuilder("'");
		for (int i = 0; i < end; i++) {
			int ch = byteAt(format, i);
			if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\') {
				text.append((char) ch);
			}
			else {
				text.append(String.format("\\x%02x", ch));
			}
		}
		return text.append('\'').toString();
	}

	/**
	 * Returns how many of a str's bytes to decode: all but an incomplete UTF-8 sequence at the end, which CPython
	 * leaves when it cuts a multi-byte text at its character-counted slot size (gh-88336).
	 * @param utf8 the bytes, trailing NULs already stripped
	 * @param length how many of them hold the text
	 * @return the number of bytes to decode
	 */
	static int completeUtf8Length(byte[] utf8, int length) {
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

	private static long pack(String format) {
		byte[] ascii = format.getBytes(StandardCharsets.US_ASCII);
		long packed = 0;
		for (int i = 0; i < ascii.length; i++) {
			packed |= (ascii[i] & 0xFFL) << shift(i);
		}
		return packed;
	}

	private static int byteAt(long packed, int index) {
		return (int) (packed >>> shift(index)) & 0xFF;
	}

	private static int shift(int index) {
		return Byte.SIZE * (LITTLE_ENDIAN ? index : WORD - 1 - index);
	}

}
