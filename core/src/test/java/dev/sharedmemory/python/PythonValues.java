package dev.sharedmemory.python;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Converts ShareableList items to and from the tagged JSON of {@code interop_server.py},
 * exactly: ints as decimal text, floats as their 64 bits, bytes in Base64.
 */
public final class PythonValues {

	private PythonValues() {
	}

	/**
	 * Tags a value.
	 * @param value null, a Boolean, a Long or Integer, a Double, a String or a byte[]
	 * @return its tagged form
	 */
	public static JsonObject tag(Object value) {
		JsonObject tagged = new JsonObject();
		if (value == null) {
			tagged.addProperty("t", "none");
		}
		else if (value instanceof Boolean bool) {
			tagged.addProperty("t", "bool");
			tagged.addProperty("v", bool);
		}
		else if (value instanceof Long || value instanceof Integer) {
			tagged.addProperty("t", "int");
			tagged.addProperty("v", value.toString());
		}
		else if (value instanceof Double number) {
			tagged.addProperty("t", "float");
			tagged.addProperty("bits", Long.toString(Double.doubleToRawLongBits(number)));
		}
		else if (value instanceof String text) {
			tagged.addProperty("t", "str");
			tagged.addProperty("v", text);
		}
		else if (value instanceof byte[] bytes) {
			tagged.addProperty("t", "bytes");
			tagged.addProperty("b64", Base64.getEncoder().encodeToString(bytes));
		}
		else {
			throw new IllegalArgumentException("Cannot tag " + value.getClass());
		}
		return tagged;
	}

	/**
	 * Tags values.
	 * @param values the values
	 * @return a JSON array of their tagged forms
	 */
	public static JsonArray tagAll(List<?> values) {
		JsonArray array = new JsonArray();
		values.forEach((value) -> array.add(tag(value)));
		return array;
	}

	/**
	 * Reads a tagged value.
	 * @param tagged the tagged form
	 * @return null, a Boolean, a Long, a Double, a String or a byte[]
	 * @throws AssertionError if Python reported an error instead of a value
	 */
	public static Object untag(JsonElement tagged) {
		JsonObject object = tagged.getAsJsonObject();
		if (object.has("error")) {
			throw new AssertionError("Python could not read the value: " + object);
		}
		return switch (object.get("t").getAsString()) {
			case "none" -> null;
			case "bool" -> object.get("v").getAsBoolean();
			case "int" -> Long.parseLong(object.get("v").getAsString());
			case "float" -> Double.longBitsToDouble(Long.parseLong(object.get("bits").getAsString()));
			case "str" -> object.get("v").getAsString();
			case "bytes" -> Base64.getDecoder().decode(object.get("b64").getAsString());
			default -> throw new IllegalArgumentException("Unknown tag in " + object);
		};
	}

	/**
	 * Reads a JSON array of tagged values.
	 * @param array the array
	 * @return the values
	 */
	public static List<Object> untagAll(JsonArray array) {
		List<Object> values = new ArrayList<>();
		array.forEach((tagged) -> values.add(untag(tagged)));
		return values;
	}

	/**
	 * Builds an operation for {@code interop_server.py}.
	 * @param name the operation
	 * @param keysAndValues alternately a key and its value: a String, Number, Boolean or
	 * JsonElement
	 * @return the operation
	 */
	public static JsonObject op(String name, Object... keysAndValues) {
		JsonObject op = new JsonObject();
		op.addProperty("op", name);
		for (int i = 0; i < keysAndValues.length; i += 2) {
			String key = (String) keysAndValues[i];
			Object value = keysAndValues[i + 1];
			if (value instanceof JsonElement element) {
				op.add(key, element);
			}
			else if (value instanceof Number number) {
				op.addProperty(key, number);
			}
			else if (value instanceof Boolean bool) {
				op.addProperty(key, bool);
			}
			else {
				op.addProperty(key, (String) value);
			}
		}
		return op;
	}

	/**
	 * Checks that an operation succeeded.
	 * @param result the operation's result
	 * @return the result
	 * @throws AssertionError with Python's traceback if it failed
	 */
	public static JsonObject ok(JsonObject result) {
		if (result.has("error")) {
			throw new AssertionError("Python failed: " + result.get("error").getAsString() + ": "
					+ result.get("message").getAsString() + "\n" + result.get("traceback").getAsString());
		}
		return result;
	}

	/**
	 * Returns UTF-8 bytes of ASCII or other text, for readable test data.
	 * @param text the text
	 * @return its bytes
	 */
	public static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
