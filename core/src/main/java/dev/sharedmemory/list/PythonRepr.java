package dev.sharedmemory.list;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Writes the values a {@link dev.sharedmemory.ShareableList} holds as CPython's
 * {@code repr()} does, so that a list prints the same on both sides: {@code None},
 * {@code True}, {@code 42}, {@code -273.154}, {@code 1e+16}, {@code 'it\'s'},
 * {@code b'\x00\xff'}.
 */
public final class PythonRepr {

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private PythonRepr() {
	}

	/**
	 * Returns the repr of a list of values, as Python's {@code repr(list)}.
	 * @param values null, Boolean, Long, Double, String or byte[] values
	 * @return the repr
	 */
	public static String list(List<? extends @Nullable Object> values) {
		StringBuilder repr = new StringBuilder("[");
		for (int i = 0; i < values.size(); i++) {
			if (i > 0) {
				repr.append(", ");
			}
			appendValue(repr, values.get(i));
		}
		return repr.append(']').toString();
	}

	/**
	 * Returns the repr of one value.
	 * @param value null, a Boolean, a Long, a Double, a String or a byte[]
	 * @return the repr
	 */
	public static String value(@Nullable Object value) {
		StringBuilder repr = new StringBuilder();
		appendValue(repr, value);
		return repr.toString();
	}

	private static void appendValue(StringBuilder repr, @Nullable Object value) {
		if (value == null) {
			repr.append("None");
		}
		else if (value instanceof Boolean bool) {
			repr.append(bool ? "True" : "False");
		}
		else if (value instanceof Double number) {
			repr.append(floating(number));
		}
		else if (value instanceof String text) {
			appendStr(repr, text);
		}
		else if (value instanceof byte[] bytes) {
			appendBytes(repr, bytes);
		}
		else {
			repr.append(value);
		}
	}

	/**
	 * Returns the repr of a str: single quotes unless only double quotes avoid escaping,
	 * backslash escapes for the quote, backslash, tab, newline and carriage return, hex
	 * escapes for what Unicode does not class as printable.
	 * @param text the text
	 * @return the repr
	 */
	public static String str(String text) {
		StringBuilder repr = new StringBuilder(text.length() + 2);
		appendStr(repr, text);
		return repr.toString();
	}

	private static void appendStr(StringBuilder repr, String text) {
		char quote = (text.indexOf('\'') >= 0 && text.indexOf('"') < 0) ? '"' : '\'';
		repr.append(quote);
		text.codePoints().forEach((codePoint) -> {
			if (codePoint == quote || codePoint == '\\') {
				repr.append('\\').append((char) codePoint);
			}
			else if (!appendCommonEscape(repr, codePoint)) {
				if (codePoint < 0x7f ? codePoint >= ' ' : isPrintable(codePoint)) {
					repr.appendCodePoint(codePoint);
				}
				else if (codePoint <= 0xff) {
					appendHex(repr.append("\\x"), codePoint, 2);
				}
				else if (codePoint <= 0xffff) {
					appendHex(repr.append("\\u"), codePoint, 4);
				}
				else {
					appendHex(repr.append("\\U"), codePoint, 8);
				}
			}
		});
		repr.append(quote);
	}

	private static void appendBytes(StringBuilder repr, byte[] bytes) {
		boolean hasSingle = false;
		boolean hasDouble = false;
		for (byte b : bytes) {
			hasSingle |= b == '\'';
			hasDouble |= b == '"';
		}
		char quote = (hasSingle && !hasDouble) ? '"' : '\'';
		repr.append('b').append(quote);
		for (byte b : bytes) {
			int ch = b & 0xFF;
			if (ch == quote || ch == '\\') {
				repr.append('\\').append((char) ch);
			}
			else if (!appendCommonEscape(repr, ch)) {
				if (ch >= ' ' && ch < 0x7f) {
					repr.append((char) ch);
				}
				else {
					appendHex(repr.append("\\x"), ch, 2);
				}
			}
		}
		repr.append(quote);
	}

	private static boolean appendCommonEscape(StringBuilder repr, int ch) {
		switch (ch) {
			case '\t' -> repr.append("\\t");
			case '\n' -> repr.append("\\n");
			case '\r' -> repr.append("\\r");
			default -> {
				return false;
			}
		}
		return true;
	}

	// Python's Py_UNICODE_ISPRINTABLE: everything but the categories Cc, Cf, Cs, Co, Cn,
	// Zl, Zp and Zs.
	private static boolean isPrintable(int codePoint) {
		return switch (Character.getType(codePoint)) {
			case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
					Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR ->
				false;
			default -> true;
		};
	}

	private static void appendHex(StringBuilder repr, int value, int digits) {
		for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
			repr.append(HEX[(value >>> shift) & 0xF]);
		}
	}

	/**
	 * Returns the repr of a float: the shortest digits that read back as the same double,
	 * in positional notation for exponents from -4 to 15 and in scientific notation
	 * ({@code 1e+16}, {@code 1e-05}) otherwise.
	 * @param value the value
	 * @return the repr
	 */
	public static String floating(double value) {
		if (Double.isNaN(value)) {
			return "nan";
		}
		if (Double.isInfinite(value)) {
			return (value > 0) ? "inf" : "-inf";
		}
		String sign = (Double.doubleToRawLongBits(value) < 0) ? "-" : "";
		if (value == 0) {
			return sign + "0.0";
		}
		BigDecimal shortest = shortestDecimal(Math.abs(value)).stripTrailingZeros();
		String digits = shortest.unscaledValue().toString();
		// The value is 0.<digits> times ten to the power of decimalPoint.
		int decimalPoint = digits.length() - shortest.scale();
		int exponent = decimalPoint - 1;
		StringBuilder repr = new StringBuilder(sign);
		if (exponent < -4 || exponent >= 16) {
			repr.append(digits.charAt(0));
			if (digits.length() > 1) {
				repr.append('.').append(digits, 1, digits.length());
			}
			repr.append('e').append((exponent < 0) ? '-' : '+');
			int magnitude = Math.abs(exponent);
			repr.append((magnitude < 10) ? "0" : "").append(magnitude);
		}
		else if (decimalPoint <= 0) {
			repr.append("0.").append("0".repeat(-decimalPoint)).append(digits);
		}
		else if (decimalPoint < digits.length()) {
			repr.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
		}
		else {
			repr.append(digits).append("0".repeat(decimalPoint - digits.length())).append(".0");
		}
		return repr.toString();
	}

	/**
	 * Finds the shortest decimal that reads back as the given double, the closest one if
	 * several have that length, as CPython's {@code repr} (David Gay's shortest mode)
	 * does. JDK 17's {@code Double.toString} is not always shortest.
	 */
	private static BigDecimal shortestDecimal(double value) {
		BigDecimal head = leadingDigits(new BigDecimal(value));
		for (int precision = 1; precision < 17; precision++) {
			BigDecimal nearest = head.round(new MathContext(precision, RoundingMode.HALF_EVEN));
			if (nearest.doubleValue() == value) {
				return nearest;
			}
			// Next to a power of two the doubles below lie twice as close: the neighbour
			// on the far side may still read back when the nearest decimal does not.
			BigDecimal neighbour = (nearest.compareTo(head) < 0) ? nearest.add(nearest.ulp())
					: nearest.subtract(nearest.ulp());
			if (neighbour.signum() > 0 && neighbour.doubleValue() == value) {
				return neighbour;
			}
		}
		return head.round(new MathContext(17, RoundingMode.HALF_EVEN));
	}

	/**
	 * Cuts an exact value (up to 767 digits) to 20 digits plus a sticky last digit that
	 * is 1 if anything was cut: rounding that to 17 digits or fewer gives what rounding
	 * the exact value gives, for a fraction of the work.
	 */
	private static BigDecimal leadingDigits(BigDecimal exact) {
		BigDecimal head = exact.round(new MathContext(20, RoundingMode.DOWN));
		if (head.compareTo(exact) == 0) {
			return head;
		}
		return head.add(head.ulp().movePointLeft(1));
	}

}
