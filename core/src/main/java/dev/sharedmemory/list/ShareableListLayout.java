package dev.sharedmemory.list;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * The binary layout of a {@link dev.sharedmemory.ShareableList}, exactly as CPython 3.9
 * to 3.13 write it: the one place that knows where each field lies, what the 8-byte
 * struct formats and the back-transform codes are, which format and code mean which
 * {@link ItemType}, and where a value sits in its slot. All integers are native-endian,
 * as {@code struct} in its native mode and {@code SharedMemory.buf()} both use. <pre>
 * offset                 size     content
 * 0                      8        N, the number of items
 * 8                      8(N+1)   where each item's slot starts in the data area; entry N is the data area's length K
 * 8(N+2)                 K        the data area: item i occupies [offset i, offset i+1)
 * 8(N+2)+K               8N       each item's struct format, ASCII, NUL-padded to 8 bytes
 * 8(N+2)+K+8N            N        each item's back-transform code, a signed byte
 * </pre> A format field is handled as one native-endian {@code long}, so that telling an
 * item's type is a comparison with a constant.
 */
public final class ShareableListLayout {

	// First: the format constants below are packed with it.
	private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

	/**
	 * Bytes of the length field, of each offset entry and of each format field; slots are
	 * multiples of it.
	 */
	public static final int WORD = 8;

	/** Where the length field, N, lies. */
	public static final int LENGTH_OFFSET = 0;

	/** Where the offsets of the slots start. */
	public static final int OFFSETS_OFFSET = WORD;

	/**
	 * The smallest block a list can have: an empty list's length field and its one
	 * offset.
	 */
	public static final int EMPTY_LIST_SIZE = 2 * WORD;

	/**
	 * Bytes an item takes outside the data area: its offset entry, its format and its
	 * code.
	 */
	public static final int BYTES_PER_ITEM = WORD + WORD + 1;

	/** Every slot holds at least the 8 bytes of an int, a float, a bool or None. */
	public static final int MIN_SLOT_SIZE = WORD;

	/** The largest slot an {@code <S>s} format can describe within its 8 bytes. */
	public static final int MAX_SLOT_SIZE = 9_999_999;

	/**
	 * The longest str or bytes value that gets a slot of at most {@link #MAX_SLOT_SIZE}
	 * bytes.
	 */
	public static final int MAX_VALUE_LENGTH = (MAX_SLOT_SIZE / WORD - 1) * WORD + (WORD - 1);

	/**
	 * Back-transform code of an int, a float or a bool: the value is used as unpacked.
	 */
	public static final byte CODE_VALUE = 0;

	/** Back-transform code of a str: trailing NULs stripped, then decoded from UTF-8. */
	public static final byte CODE_STR = 1;

	/** Back-transform code of a bytes value: trailing NULs stripped. */
	public static final byte CODE_BYTES = 2;

	/** Back-transform code of None. */
	public static final byte CODE_NONE = 3;

	/** Format {@code q}: a signed 64-bit int. */
	public static final long FORMAT_INT = pack("q");

	/** Format {@code d}: an IEEE 754 double. */
	public static final long FORMAT_FLOAT = pack("d");

	/** Format {@code xxxxxxx?}: a bool in the slot's byte 7. */
	public static final long FORMAT_BOOL = pack("xxxxxxx?");

	/** Format {@code xxxxxx?x}: None, written as a zero in the slot's byte 6. */
	public static final long FORMAT_NONE = pack("xxxxxx?x");

	/**
	 * The slot's first 8 bytes holding {@code True}, as
	 * {@code struct.pack("xxxxxxx?", True)} writes them.
	 */
	public static final long BOOL_TRUE = 1L << shift(7);

	/**
	 * The {@code <S>s} formats of slots up to 1 KiB, by size in words: packed once, as
	 * every read and write of a str or bytes item needs its slot's format.
	 */
	private static final long[] SMALL_STRING_FORMATS = new long[129];

	static {
		for (int words = 0; words < SMALL_STRING_FORMATS.length; words++) {
			SMALL_STRING_FORMATS[words] = packStringFormat(words * WORD);
		}
	}

	private ShareableListLayout() {
	}

	/**
	 * Returns where the data area starts.
	 * @param length the number of items
	 * @return the offset from the start of the block
	 */
	public static long dataStart(long length) {
		return WORD * (length + 2);
	}

	/**
	 * Returns the exact size of the block of a list.
	 * @param length the number of items
	 * @param dataLength the size of the data area, the sum of the slots
	 * @return the size in bytes
	 */
	public static long blockSize(long length, long dataLength) {
		return dataStart(length) + dataLength + (WORD + 1) * length;
	}

	/**
	 * Returns the size of the slot for a str or bytes value, as CPython sizes it: the
	 * next multiple of 8 strictly greater than the length (CPython counts the characters
	 * of a str, gh-88336; here it is always the bytes).
	 * @param encodedLength the value's length in bytes
	 * @return the slot size
	 */
	public static long slotSize(long encodedLength) {
		return WORD * (encodedLength / WORD + 1);
	}

	/**
	 * Returns the offset of the slots' offset entry of the given item.
	 * @param index the item, or the number of items for the entry that holds the data
	 * area's length
	 * @return the offset from the start of the block
	 */
	public static int offsetEntry(int index) {
		return OFFSETS_OFFSET + WORD * index;
	}

	/**
	 * Returns where an item's format field lies.
	 * @param dataEnd where the data area ends: the end of the last slot, where the
	 * formats start
	 * @param index the item
	 * @return the offset from the start of the block
	 */
	public static int formatOffset(int dataEnd, int index) {
		return dataEnd + WORD * index;
	}

	/**
	 * Returns where an item's back-transform code lies.
	 * @param dataEnd where the data area ends: the end of the last slot, where the
	 * formats start
	 * @param length the number of items
	 * @param index the item
	 * @return the offset from the start of the block
	 */
	public static int codeOffset(int dataEnd, int length, int index) {
		return dataEnd + WORD * length + index;
	}

	/**
	 * Returns where a bool item's value lies: the last byte of the slot's first word
	 * ({@code xxxxxxx?}).
	 * @param slot where the item's slot starts
	 * @return the offset from the start of the block
	 */
	public static int boolOffset(int slot) {
		return slot + WORD - 1;
	}

	/**
	 * Tells an item's type from its format and code: the rules CPython writes by. A str
	 * or bytes format must describe at most the item's slot, so that no read strays
	 * outside it.
	 * @param format the format field
	 * @param code the back-transform code
	 * @param slotSize the size of the item's slot
	 * @return the type, or {@code null} for a combination CPython never writes
	 */
	public static @Nullable ItemType typeOf(long format, byte code, int slotSize) {
		if (code == CODE_VALUE) {
			return (format == FORMAT_INT) ? ItemType.INT
					: (format == FORMAT_FLOAT) ? ItemType.FLOAT : (format == FORMAT_BOOL) ? ItemType.BOOL : null;
		}
		if (code == CODE_NONE) {
			return (format == FORMAT_NONE) ? ItemType.NONE : null;
		}
		if (code == CODE_STR || code == CODE_BYTES) {
			int size = stringFormatSize(format, slotSize);
			if (size >= 0 && size <= slotSize) {
				return (code == CODE_STR) ? ItemType.STR : ItemType.BYTES;
			}
		}
		return null;
	}

	/**
	 * Returns the format CPython writes for an item of the given type: a str or bytes
	 * value takes its whole slot.
	 * @param type the type
	 * @param slotSize the size of the item's slot
	 * @return the format field as a native-endian long
	 */
	public static long formatOf(ItemType type, int slotSize) {
		return switch (type) {
			case INT -> FORMAT_INT;
			case FLOAT -> FORMAT_FLOAT;
			case BOOL -> FORMAT_BOOL;
			case NONE -> FORMAT_NONE;
			case STR, BYTES -> stringFormat(slotSize);
		};
	}

	/**
	 * Returns the back-transform code CPython writes for an item of the given type.
	 * @param type the type
	 * @return the code
	 */
	public static byte codeOf(ItemType type) {
		return switch (type) {
			case INT, FLOAT, BOOL -> CODE_VALUE;
			case NONE -> CODE_NONE;
			case STR -> CODE_STR;
			case BYTES -> CODE_BYTES;
		};
	}

	/**
	 * Packs an {@code <S>s} format.
	 * @param size the slot size, at most {@link #MAX_SLOT_SIZE}
	 * @return the format field as a native-endian long
	 */
	public static long stringFormat(int size) {
		int words = size / WORD;
		return (size % WORD == 0 && words < SMALL_STRING_FORMATS.length) ? SMALL_STRING_FORMATS[words]
				: packStringFormat(size);
	}

	// Digit by digit, as a write of an item in a large slot calls this: building a String
	// here would double what such a write allocates.
	private static long packStringFormat(int size) {
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
	 * Reads the size out of an item's {@code <S>s} format: at once for the format CPython
	 * and this library write, the whole slot; otherwise as
	 * {@link #stringFormatSize(long)} does.
	 * @param format the format field
	 * @param slotSize the size of the item's slot
	 * @return the size, or -1 if the field is no such format
	 */
	public static int stringFormatSize(long format, int slotSize) {
		return (format == stringFormat(slotSize)) ? slotSize : stringFormatSize(format);
	}

	/**
	 * Reads the size out of an {@code <S>s} format: one to seven ASCII digits, {@code s},
	 * then NULs only.
	 * @param format the format field
	 * @return the size, or -1 if the field is no such format
	 */
	public static int stringFormatSize(long format) {
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
	 * Returns the text of a valid format field, as Python's {@code format} property shows
	 * it: the field without its trailing NULs.
	 * @param format the format field, already checked to be valid
	 * @return the format text
	 */
	public static String formatText(long format) {
		StringBuilder text = new StringBuilder(WORD);
		for (int i = 0; i < WORD && byteAt(format, i) != 0; i++) {
			text.append((char) byteAt(format, i));
		}
		return text.toString();
	}

	/**
	 * Describes any format field for an error message: printable ASCII as is, every other
	 * byte as {@code \xNN}, trailing NULs dropped.
	 * @param format the format field
	 * @return a readable rendering
	 */
	public static String describeFormat(long format) {
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
