package dev.sharedmemory.ndarray;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Reads the Python literal dict of a {@code .npy} header, {@code {'descr': '<f8',
 * 'fortran_order': False, 'shape': (3, 4), }}: the subset of Python's literal syntax that
 * numpy's {@code ast.literal_eval} of a header needs, and no more. Keys in any order,
 * each exactly once; {@code descr} a quoted string, {@code fortran_order} {@code True} or
 * {@code False}, {@code shape} a tuple of non-negative decimal ints ({@code ()},
 * {@code (3,)}, {@code (3, 4)}); trailing commas and whitespace as Python allows them.
 * Anything else fails with an {@link IllegalArgumentException} that says what and where.
 * <p>
 * It works on the header's bytes, at most {@link NpyLayout#MAX_HEADER_LENGTH} of them,
 * reads none past them, and allocates nothing in proportion to a number the header holds.
 */
final class NpyHeaderParser {

	private static final int SNIPPET = 60;

	private final byte[] text;

	private int position;

	private @Nullable String descr;

	private @Nullable Boolean fortranOrder;

	private long @Nullable [] shape;

	private NpyHeaderParser(byte[] text) {
		this.text = text;
	}

	/**
	 * Parses a header's dict.
	 * @param text the header's bytes, after the preamble
	 * @return the dict's values
	 * @throws IllegalArgumentException if it is not a header dict of the three keys
	 */
	static Dict parse(byte[] text) {
		NpyHeaderParser parser = new NpyHeaderParser(text);
		parser.dict();
		return new Dict(parser.descr, parser.fortranOrder, parser.shape);
	}

	private void dict() {
		skipWhitespace();
		expect('{', "the header does not start with a dict ('{')");
		while (true) {
			skipWhitespace();
			if (peek() == '}') {
				break;
			}
			int keyAt = this.position;
			skipString("a key");
			int keyEnd = this.position;
			skipWhitespace();
			if (peek() != ':') {
				throw error("expected ':' after the key '" + text(keyAt + 1, keyEnd - 1) + "'", this.position);
			}
			this.position++;
			skipWhitespace();
			// The key is compared where it lies: the header is read with no string per
			// key.
			if (isKey(keyAt, keyEnd, "descr")) {
				this.descr = checkUnset(this.descr, "descr", keyAt, descrValue());
			}
			else if (isKey(keyAt, keyEnd, "fortran_order")) {
				this.fortranOrder = checkUnset(this.fortranOrder, "fortran_order", keyAt, bool());
			}
			else if (isKey(keyAt, keyEnd, "shape")) {
				this.shape = checkUnset(this.shape, "shape", keyAt, tuple());
			}
			else {
				throw error("the header dict has the key '" + text(keyAt + 1, keyEnd - 1) + "', not one of "
						+ "'descr', 'fortran_order' and 'shape'", keyAt);
			}
			skipWhitespace();
			if (peek() == ',') {
				this.position++;
				continue;
			}
			if (peek() != '}') {
				throw error("expected ',' or '}' in the header dict", this.position);
			}
		}
		this.position++;
		skipWhitespace();
		if (this.position < this.text.length) {
			throw error("the header holds more than one dict", this.position);
		}
		if (this.descr == null || this.fortranOrder == null || this.shape == null) {
			throw new IllegalArgumentException("the header dict lacks the key '"
					+ ((this.descr == null) ? "descr" : (this.fortranOrder == null) ? "fortran_order" : "shape") + "'");
		}
	}

	private <T> T checkUnset(@Nullable T current, String key, int keyAt, T value) {
		if (current != null) {
			throw error("the header dict has the key '" + key + "' twice", keyAt);
		}
		return value;
	}

	private String descrValue() {
		int start = this.position;
		int c = peek();
		if (c == '[' || c == '(') {
			skipNested();
			String dtype = snippet(start, this.position);
			throw new IllegalArgumentException("its dtype " + dtype + " is "
					+ ((c == '[') ? "a structured dtype" : "a subarray dtype") + ", which is not supported");
		}
		if (c != '\'' && c != '"') {
			throw error("the dtype ('descr') is not a string", start);
		}
		return string("the dtype ('descr')");
	}

	/**
	 * Tells whether the quoted string between the given positions (quotes included) is
	 * the given key.
	 */
	private boolean isKey(int from, int to, String key) {
		if (to - from - 2 != key.length()) {
			return false;
		}
		for (int i = 0; i < key.length(); i++) {
			if (this.text[from + 1 + i] != key.charAt(i)) {
				return false;
			}
		}
		return true;
	}

	private String string(String what) {
		int start = this.position;
		skipString(what);
		return text(start + 1, this.position - 1);
	}

	private String text(int from, int to) {
		return new String(this.text, from, to - from, StandardCharsets.UTF_8);
	}

	private void skipString(String what) {
		int quote = peek();
		int start = this.position;
		if (quote != '\'' && quote != '"') {
			throw error("expected " + what + " as a quoted string", start);
		}
		this.position++;
		while (this.position < this.text.length && this.text[this.position] != quote) {
			byte b = this.text[this.position];
			if (b == '\\' || b == '\n' || b == '\r' || b == 0) {
				throw error("the string of " + what + " holds an escape, a line break or a NUL", this.position);
			}
			this.position++;
		}
		if (this.position == this.text.length) {
			throw error("the string of " + what + " is not terminated", start);
		}
		this.position++;
	}

	private Boolean bool() {
		if (matches("True")) {
			return Boolean.TRUE;
		}
		if (matches("False")) {
			return Boolean.FALSE;
		}
		throw error("'fortran_order' is not True or False", this.position);
	}

	private boolean matches(String word) {
		int end = this.position + word.length();
		if (end > this.text.length) {
			return false;
		}
		for (int i = 0; i < word.length(); i++) {
			if (this.text[this.position + i] != word.charAt(i)) {
				return false;
			}
		}
		if (end < this.text.length && isNameChar(this.text[end])) {
			return false;
		}
		this.position = end;
		return true;
	}

	private long[] tuple() {
		int start = this.position;
		if (peek() != '(') {
			throw error("the shape is not a tuple", start);
		}
		this.position++;
		// Grown as needed: most shapes have a few dimensions.
		long[] dimensions = new long[4];
		int count = 0;
		boolean comma = false;
		while (true) {
			skipWhitespace();
			if (peek() == ')') {
				if (count == 1 && !comma) {
					throw error("the shape is a number in parentheses, not a tuple (a tuple of one has a comma)",
							start);
				}
				this.position++;
				return Arrays.copyOf(dimensions, count);
			}
			if (count > 0 && !comma) {
				throw error("expected ',' or ')' in the shape", this.position);
			}
			if (count == NpyLayout.MAX_DIMENSIONS) {
				throw error("the shape has more than " + NpyLayout.MAX_DIMENSIONS + " dimensions, numpy's most", start);
			}
			if (count == dimensions.length) {
				dimensions = Arrays.copyOf(dimensions, 2 * count);
			}
			dimensions[count++] = dimension();
			skipWhitespace();
			comma = peek() == ',';
			if (comma) {
				this.position++;
			}
		}
	}

	private long dimension() {
		int start = this.position;
		boolean negative = peek() == '-';
		if (negative) {
			this.position++;
			skipWhitespace();
		}
		int digits = this.position;
		long value = 0;
		boolean overflow = false;
		while (this.position < this.text.length && isDigit(this.text[this.position])) {
			int digit = this.text[this.position] - '0';
			if (value > (Long.MAX_VALUE - digit) / 10) {
				overflow = true;
			}
			value = value * 10 + digit;
			this.position++;
		}
		if (this.position == digits) {
			throw error("a dimension of the shape is not a decimal int", start);
		}
		if (this.position < this.text.length && (isNameChar(this.text[this.position]) || peek() == '.')) {
			throw error("a dimension of the shape is not a decimal int", start);
		}
		if (this.position - digits > 1 && this.text[digits] == '0') {
			throw error("a dimension of the shape has a leading zero, which Python does not allow", start);
		}
		if (negative) {
			throw error("the shape has a negative dimension", start);
		}
		if (overflow) {
			throw error("a dimension of the shape is larger than " + Long.MAX_VALUE, start);
		}
		return value;
	}

	/**
	 * Skips a bracketed value, strings within it included, to name it in an error.
	 */
	private void skipNested() {
		int depth = 0;
		int start = this.position;
		while (this.position < this.text.length) {
			byte b = this.text[this.position];
			if (b == '\'' || b == '"') {
				skipString("a string in the dtype");
				continue;
			}
			if (b == '[' || b == '(' || b == '{') {
				depth++;
			}
			else if (b == ']' || b == ')' || b == '}') {
				depth--;
			}
			this.position++;
			if (depth == 0) {
				return;
			}
		}
		throw error("the dtype ('descr') is not terminated", start);
	}

	private void skipWhitespace() {
		while (this.position < this.text.length) {
			byte b = this.text[this.position];
			if (b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != '\f') {
				return;
			}
			this.position++;
		}
	}

	private void expect(char c, String what) {
		if (peek() != c) {
			throw error("expected " + what, this.position);
		}
		this.position++;
	}

	private int peek() {
		return (this.position < this.text.length) ? this.text[this.position] : -1;
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private static boolean isNameChar(byte b) {
		return isDigit(b) || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || b < 0;
	}

	private IllegalArgumentException error(String what, int at) {
		if (at >= this.text.length) {
			return new IllegalArgumentException(what + ", at the end of the header");
		}
		return new IllegalArgumentException(
				what + ", at byte " + at + " of the header: " + snippet(at, Math.min(this.text.length, at + SNIPPET)));
	}

	/**
	 * Shows part of the header as Python would quote it, non-printable bytes escaped, at
	 * most {@link #SNIPPET} bytes.
	 */
	private String snippet(int from, int to) {
		StringBuilder shown = new StringBuilder("'");
		int end = Math.min(to, from + SNIPPET);
		for (int i = from; i < end; i++) {
			int b = this.text[i] & 0xFF;
			if (b >= 0x20 && b < 0x7F && b != '\\') {
				shown.append((char) b);
			}
			else {
				shown.append(String.format("\\x%02x", b));
			}
		}
		return shown.append((end < to) ? "...'" : "'").toString();
	}

	/**
	 * The values of a header's dict.
	 *
	 * @param descr the dtype as written
	 * @param fortranOrder whether the data is in Fortran order
	 * @param shape the dimensions
	 */
	record Dict(String descr, boolean fortranOrder, long[] shape) {
	}

}
