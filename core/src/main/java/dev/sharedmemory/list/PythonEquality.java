package dev.sharedmemory.list;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * Compares a value with a {@link dev.sharedmemory.ShareableList} item as Python's
 * {@code ==} does, so that {@code count} and {@code indexOf} give the answers Python's
 * {@code count} and {@code index} give: numbers compare by their mathematical value
 * across types ({@code 1 == 1.0 == True}, {@code 0.0 == -0.0}, NaN equals nothing, and a
 * long equals a double only if the double is exactly that integer), byte arrays by
 * content, strings by content.
 */
public final class PythonEquality {

	private static final double TWO_TO_63 = 0x1p63;

	private PythonEquality() {
	}

	/**
	 * Tells whether a probe equals an item in Python's terms.
	 * @param probe any value: null, a Boolean, a Byte, Short, Integer or Long, a Float or
	 * Double, a String or a byte[] (anything else equals no item)
	 * @param item an item as {@link dev.sharedmemory.ShareableList#get(int)} returns it
	 * @return {@code true} if Python's {@code ==} would say so
	 */
	public static boolean equal(@Nullable Object probe, @Nullable Object item) {
		if (probe == null || item == null) {
			return probe == item;
		}
		if (probe instanceof byte[] bytes) {
			return item instanceof byte[] other && Arrays.equals(bytes, other);
		}
		if (probe instanceof String) {
			return probe.equals(item);
		}
		if (isNumber(probe) && isNumber(item)) {
			return numbersEqual(probe, item);
		}
		return false;
	}

	private static boolean isNumber(Object value) {
		return value instanceof Boolean || value instanceof Long || value instanceof Integer || value instanceof Short
				|| value instanceof Byte || value instanceof Double || value instanceof Float;
	}

	private static boolean numbersEqual(Object a, Object b) {
		boolean aFloating = a instanceof Double || a instanceof Float;
		boolean bFloating = b instanceof Double || b instanceof Float;
		if (aFloating && bFloating) {
			return ((Number) a).doubleValue() == ((Number) b).doubleValue();
		}
		if (!aFloating && !bFloating) {
			return integral(a) == integral(b);
		}
		return aFloating ? exactlyEqual(integral(b), ((Number) a).doubleValue())
				: exactlyEqual(integral(a), ((Number) b).doubleValue());
	}

	private static long integral(Object value) {
		if (value instanceof Boolean bool) {
			return bool ? 1 : 0;
		}
		return ((Number) value).longValue();
	}

	// Python compares an int with a float exactly: 2**53 + 1 != 2.0**53, although
	// (double) (2^53 + 1) == 2^53.
	private static boolean exactlyEqual(long integral, double floating) {
		return floating >= -TWO_TO_63 && floating < TWO_TO_63 && (long) floating == integral
				&& (double) integral == floating;
	}

}
