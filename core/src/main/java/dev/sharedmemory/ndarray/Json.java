package dev.sharedmemory.ndarray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The little JSON that a descriptor needs, since core has no dependencies: values parse
 * to {@link Map}, {@link List}, {@link String}, {@link Long} (integers that fit),
 * {@link Double}, {@link Boolean} and {@code null}; strings are quoted for writing.
 * Nesting is bounded, so that hostile input fails rather than overflows the stack.
 */
final class Json {

	private static final int MAX_DEPTH = 32;

	private final String text;

	private int position;

	private Json(String text) {
		this.text = text;
	}

	/**
	 * Parses a JSON document.
	 * @param text the document
	 * @return its value
	 * @throws IllegalArgumentException if it is not JSON, saying where
	 */
	static @Nullable Object parse(String text) {
		Json json = new Json(text);
		@Nullable Object value = json.value(0);
		json.skipWhitespace();
		if (json.position != text.length()) {
			throw json.error("text after the JSON value");
		}
		return value;
	}

	/**
	 * Quotes a string as a JSON string.
	 * @param value the string
	 * @return the quoted string
	 */
	static String quote(String value) {
		StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> quoted.append("\\\"");
				case '\\' -> quoted.append("\\\\");
				case '\n' -> quoted.append("\\n");
				case '\r' -> quoted.append("\\r");
				case '\t' -> quoted.append("\\t");
				default -> {
					if (c < 0x20) {
						quoted.append(String.format("\\u%04x", (int) c));
					}
					else {
						quoted.append(c);
					}
				}
			}
		}
		return quoted.append('"').toString();
	}

	private @Nullable Object value(int depth) {
		if (depth > MAX_DEPTH) {
			throw error("JSON nested deeper than " + MAX_DEPTH);
		}
		skipWhitespace();
		char c = peek();
		if (c == '{') {
			return object(depth);
		}
		if (c == '[') {
			return array(depth);
		}
		if (c == '"') {
			return string();
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			return number();
		}
		for (String literal : new String[] { "true", "false", "null" }) {
			if (this.text.startsWith(literal, this.position)) {
				this.position += literal.length();
				return (literal.equals("null")) ? null : Boolean.valueOf(literal);
			}
		}
		throw error("expected a JSON value");
	}

	private Map<String, @Nullable Object> object(int depth) {
		Map<String, @Nullable Object> members = new LinkedHashMap<>();
		this.position++;
		skipWhitespace();
		if (peek() == '}') {
			this.position++;
			return members;
		}
		while (true) {
			skipWhitespace();
			if (peek() != '"') {
				throw error("expected a member name");
			}
			String name = string();
			skipWhitespace();
			expect(':');
			members.put(name, value(depth + 1));
			skipWhitespace();
			if (peek() == '}') {
				this.position++;
				return members;
			}
			expect(',');
		}
	}

	private List<@Nullable Object> array(int depth) {
		List<@Nullable Object> elements = new ArrayList<>();
		this.position++;
		skipWhitespace();
		if (peek() == ']') {
			this.position++;
			return elements;
		}
		while (true) {
			elements.add(value(depth + 1));
			skipWhitespace();
			if (peek() == ']') {
				this.position++;
				return elements;
			}
			expect(',');
		}
	}

	private String string() {
		StringBuilder value = new StringBuilder();
		this.position++;
		while (true) {
			if (this.position >= this.text.length()) {
				throw error("unterminated string");
			}
			char c = this.text.charAt(this.position++);
			if (c == '"') {
				return value.toString();
			}
			if (c < 0x20) {
				throw error("control character in a string");
			}
			if (c != '\\') {
				value.append(c);
				continue;
			}
			char escape = (this.position < this.text.length()) ? this.text.charAt(this.position++) : 0;
			switch (escape) {
				case '"', '\\', '/' -> value.append(escape);
				case 'b' -> value.append('\b');
				case 'f' -> value.append('\f');
				case 'n' -> value.append('\n');
				case 'r' -> value.append('\r');
				case 't' -> value.append('\t');
				case 'u' -> {
					if (this.position + 4 > this.text.length()) {
						throw error("unterminated \\u escape");
					}
					try {
						value
							.append((char) Integer.parseInt(this.text.substring(this.position, this.position + 4), 16));
					}
					catch (NumberFormatException ex) {
						throw error("invalid \\u escape");
					}
					this.position += 4;
				}
				default -> throw error("invalid escape in a string");
			}
		}
	}

	private Object number() {
		int start = this.position;
		if (peek() == '-') {
			this.position++;
		}
		boolean integer = true;
		while (this.position < this.text.length()) {
			char c = this.text.charAt(this.position);
			if (c == '.' || c == 'e' || c == 'E' || c == '+' || (c == '-' && this.position > start)) {
				integer = false;
			}
			else if (c < '0' || c > '9') {
				break;
			}
			this.position++;
		}
		String number = this.text.substring(start, this.position);
		try {
			if (integer) {
				return Long.parseLong(number);
			}
			return Double.parseDouble(number);
		}
		catch (NumberFormatException ex) {
			throw error("invalid or too large number " + number);
		}
	}

	private void skipWhitespace() {
		while (this.position < this.text.length() && " \t\n\r".indexOf(this.text.charAt(this.position)) >= 0) {
			this.position++;
		}
	}

	private void expect(char c) {
		if (peek() != c) {
			throw error("expected '" + c + "'");
		}
		this.position++;
	}

	private char peek() {
		return (this.position < this.text.length()) ? this.text.charAt(this.position) : 0;
	}

	private IllegalArgumentException error(String what) {
		return new IllegalArgumentException("Not a valid JSON document: " + what + " at character " + this.position);
	}

}
