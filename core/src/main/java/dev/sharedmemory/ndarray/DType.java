package dev.sharedmemory.ndarray;

import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * The type of an array's elements, as numpy's {@code dtype} describes a scalar type: a
 * kind, a size in bytes and a byte order. Written and parsed in numpy's array-interface
 * form ({@code <f8}, {@code >i4}, {@code |u1}), which is what a {@code .npy} header's
 * {@code descr} holds.
 * <p>
 * The byte order of a one-byte type does not matter and is always the platform's, so that
 * {@code <i1} and {@code |i1} are one dtype, as in numpy.
 *
 * @param kind the kind of value
 * @param itemSize the size of one element in bytes
 * @param byteOrder the byte order of an element (of each of its two parts for a complex
 * number)
 */
public record DType(Kind kind, int itemSize, ByteOrder byteOrder) {

	/** numpy's {@code bool}: one byte, 0 or 1. */
	public static final DType BOOL = of(Kind.BOOL, 1);

	/** numpy's {@code int8}. */
	public static final DType INT8 = of(Kind.INT, 1);

	/** numpy's {@code int16}, in the platform's byte order. */
	public static final DType INT16 = of(Kind.INT, 2);

	/** numpy's {@code int32}, in the platform's byte order. */
	public static final DType INT32 = of(Kind.INT, 4);

	/** numpy's {@code int64}, in the platform's byte order. */
	public static final DType INT64 = of(Kind.INT, 8);

	/** numpy's {@code uint8}. */
	public static final DType UINT8 = of(Kind.UINT, 1);

	/** numpy's {@code uint16}, in the platform's byte order. */
	public static final DType UINT16 = of(Kind.UINT, 2);

	/** numpy's {@code uint32}, in the platform's byte order. */
	public static final DType UINT32 = of(Kind.UINT, 4);

	/** numpy's {@code uint64}, in the platform's byte order. */
	public static final DType UINT64 = of(Kind.UINT, 8);

	/** numpy's {@code float32}, in the platform's byte order. */
	public static final DType FLOAT32 = of(Kind.FLOAT, 4);

	/** numpy's {@code float64}, in the platform's byte order. */
	public static final DType FLOAT64 = of(Kind.FLOAT, 8);

	/** numpy's {@code complex64}: two {@code float32}, real part first. */
	public static final DType COMPLEX64 = of(Kind.COMPLEX, 8);

	/** numpy's {@code complex128}: two {@code float64}, real part first. */
	public static final DType COMPLEX128 = of(Kind.COMPLEX, 16);

	// An error shows at most this much of a dtype it cannot read, which may be a forged
	// header's.
	private static final int SHOWN_CHARACTERS = 60;

	private static final Map<String, DType> BY_NAME = Stream
		.of(BOOL, INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64, FLOAT32, FLOAT64, COMPLEX64, COMPLEX128)
		.collect(Collectors.toUnmodifiableMap(DType::name, Function.identity()));

	private static final String SUPPORTED = "bool, int8 to int64, uint8 to uint64, float32, float64, complex64 and "
			+ "complex128, in either byte order";

	/**
	 * Creates a dtype, checking that numpy has one of that kind and size.
	 * @param kind the kind of value
	 * @param itemSize the size of one element in bytes
	 * @param byteOrder the byte order; ignored (the platform's) for one-byte types
	 */
	public DType {
		Objects.requireNonNull(kind, "kind must not be null");
		Objects.requireNonNull(byteOrder, "byteOrder must not be null");
		if (!kind.hasSize(itemSize)) {
			throw new IllegalArgumentException("There is no " + kind.name().toLowerCase(Locale.ROOT) + " dtype of "
					+ itemSize + " bytes; supported are " + SUPPORTED);
		}
		if (itemSize == 1) {
			byteOrder = ByteOrder.nativeOrder();
		}
	}

	private static DType of(Kind kind, int itemSize) {
		return new DType(kind, itemSize, ByteOrder.nativeOrder());
	}

	/**
	 * Parses a dtype as numpy writes it in a {@code .npy} header ({@code <f8},
	 * {@code >i4}, {@code |b1}; byte order {@code <}, {@code >}, {@code =} or {@code |},
	 * or none for the platform's), or by its numpy name ({@code float64}, {@code uint8},
	 * {@code bool}: the platform's byte order, as in numpy).
	 * @param text the dtype
	 * @return the dtype
	 * @throws IllegalArgumentException if the text is no dtype this library supports,
	 * naming it
	 */
	public static DType parse(String text) {
		Objects.requireNonNull(text, "text must not be null");
		// What a header holds, such as <f8, is read by hand: an attach parses one each
		// time.
		int start = 0;
		ByteOrder order = ByteOrder.nativeOrder();
		if (!text.isEmpty()) {
			switch (text.charAt(0)) {
				case '<' -> {
					start = 1;
					order = ByteOrder.LITTLE_ENDIAN;
				}
				case '>' -> {
					start = 1;
					order = ByteOrder.BIG_ENDIAN;
				}
				case '=', '|' -> start = 1;
				default -> {
				}
			}
		}
		@Nullable Kind kind = (text.length() > start) ? Kind.ofCode(text.charAt(start)) : null;
		int size = size(text, start + 1);
		if (kind == null || size < 0) {
			@Nullable DType named = BY_NAME.get(text);
			if (named != null) {
				return named;
			}
			throw unsupported(text, null);
		}
		try {
			return new DType(kind, size, order);
		}
		catch (IllegalArgumentException ex) {
			throw unsupported(text, ex);
		}
	}

	/**
	 * Returns the size that ends a dtype's code: one or two decimal digits, the first not
	 * 0; -1 if the text from the given index is not that.
	 */
	private static int size(String text, int from) {
		int digits = text.length() - from;
		if (digits < 1 || digits > 2) {
			return -1;
		}
		int size = 0;
		for (int i = from; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9' || (i == from && c == '0')) {
				return -1;
			}
			size = size * 10 + (c - '0');
		}
		return size;
	}

	private static IllegalArgumentException unsupported(String text, @Nullable Exception cause) {
		StringBuilder shown = new StringBuilder();
		text.codePoints().limit(SHOWN_CHARACTERS).forEach((c) -> {
			if (c >= 0x20 && c != 0x7F) {
				shown.appendCodePoint(c);
			}
			else {
				shown.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
			}
		});
		if (text.codePointCount(0, text.length()) > SHOWN_CHARACTERS) {
			shown.append("...");
		}
		return new IllegalArgumentException(
				"Unsupported dtype '" + shown + "'" + explain(text) + "; supported are " + SUPPORTED, cause);
	}

	private static String explain(String text) {
		String code = text.replaceFirst("^[<>=|]", "");
		if (code.startsWith("O")) {
			return " (Python objects, which live in one process only)";
		}
		if (code.equals("f2") || code.equals("e")) {
			return " (float16)";
		}
		if (code.startsWith("V")) {
			return " (raw or structured records)";
		}
		if (code.startsWith("S") || code.startsWith("U") || code.startsWith("a")) {
			return " (strings)";
		}
		if (code.startsWith("M") || code.startsWith("m")) {
			return " (dates and times)";
		}
		return "";
	}

	/**
	 * Returns the dtype as numpy's {@code dtype.str} and a {@code .npy} header write it:
	 * {@code <f8}, {@code >i4}, {@code |u1} (one-byte types have no byte order).
	 * @return the array-interface type string
	 */
	public String descr() {
		char order = (this.itemSize == 1) ? '|' : (this.byteOrder == ByteOrder.LITTLE_ENDIAN) ? '<' : '>';
		return order + String.valueOf(this.kind.code) + this.itemSize;
	}

	/**
	 * Returns numpy's name of the type, whatever the byte order: {@code float64},
	 * {@code uint8}, {@code bool}.
	 * @return the name
	 */
	public String name() {
		return (this.kind == Kind.BOOL) ? "bool" : this.kind.prefix + (this.itemSize * 8);
	}

	/**
	 * Tells whether elements are in the platform's byte order, as numpy's
	 * {@code dtype.isnative}.
	 * @return {@code true} if they are
	 */
	public boolean isNative() {
		return this.byteOrder == ByteOrder.nativeOrder();
	}

	/**
	 * Returns this type in the given byte order.
	 * @param order the byte order
	 * @return the dtype
	 */
	public DType withByteOrder(ByteOrder order) {
		return new DType(this.kind, this.itemSize, order);
	}

	@Override
	public String toString() {
		return descr();
	}

	/**
	 * The kind of value a dtype holds, with numpy's one-letter code.
	 */
	public enum Kind {

		/** Booleans ({@code b}). */
		BOOL('b', "bool", 1),

		/** Signed integers ({@code i}). */
		INT('i', "int", 1, 2, 4, 8),

		/** Unsigned integers ({@code u}). */
		UINT('u', "uint", 1, 2, 4, 8),

		/** IEEE 754 floating point numbers ({@code f}). */
		FLOAT('f', "float", 4, 8),

		/** Complex numbers, two floating point numbers ({@code c}). */
		COMPLEX('c', "complex", 8, 16);

		// values() copies its array at each call.
		private static final Kind[] ALL = values();

		private final char code;

		private final String prefix;

		private final int[] sizes;

		Kind(char code, String prefix, int... sizes) {
			this.code = code;
			this.prefix = prefix;
			this.sizes = sizes;
		}

		/**
		 * Returns numpy's one-letter code of the kind.
		 * @return the code, such as {@code f}
		 */
		public char code() {
			return this.code;
		}

		boolean hasSize(int size) {
			for (int candidate : this.sizes) {
				if (candidate == size) {
					return true;
				}
			}
			return false;
		}

		static @Nullable Kind ofCode(char code) {
			for (Kind kind : ALL) {
				if (kind.code == code) {
					return kind;
				}
			}
			return null;
		}

	}

}
