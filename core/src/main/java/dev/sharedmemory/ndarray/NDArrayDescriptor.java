package dev.sharedmemory.ndarray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What another process needs to read an array in a block, for those who pass it alongside
 * rather than in a header: the block's name and size, the dtype, shape and order, and
 * where the data starts. As JSON it reads as Appose's {@code ndarray} descriptor does,
 * with two fields of its own that Appose ignores: <pre>
 * {"appose_type":"ndarray","dtype":"float64","shape":[2,3],"order":"C","offset":128,
 *  "shm":{"appose_type":"shm","name":"psm_1a2b3c4d","rsize":176}}
 * </pre> {@code dtype} is numpy's name of the type in the platform's byte order, else its
 * explicit form ({@code >f8}): either is what {@code np.dtype(...)} takes. {@code shape}
 * is numpy's shape, in the array's {@code order} ({@code C} unless said). Reading takes
 * Appose's older {@code size} for {@code rsize}, and no {@code order} or {@code offset}
 * as {@code C} and 0.
 *
 * @param name the block's name
 * @param size the block's size in bytes
 * @param dtype the dtype
 * @param shape the dimensions
 * @param order the order
 * @param offset where the first element lies in the block
 */
public record NDArrayDescriptor(String name, long size, DType dtype, List<Long> shape, Order order, long offset) {

	/**
	 * Creates a descriptor.
	 * @param name the block's name
	 * @param size the block's size in bytes
	 * @param dtype the dtype
	 * @param shape the dimensions
	 * @param order the order
	 * @param offset where the first element lies in the block
	 */
	public NDArrayDescriptor {
		Objects.requireNonNull(name, "name must not be null");
		Objects.requireNonNull(dtype, "dtype must not be null");
		Objects.requireNonNull(order, "order must not be null");
		shape = List.copyOf(shape);
		for (long dimension : shape) {
			if (dimension < 0) {
				throw new IllegalArgumentException(
						"An array descriptor's shape " + shape + " has a negative dimension");
			}
		}
		if (size < 0 || offset < 0) {
			throw new IllegalArgumentException(
					"An array descriptor's size (" + size + ") and offset (" + offset + ") must not be negative");
		}
	}

	static NDArrayDescriptor of(String name, long size, DType dtype, Order order, long[] shape, long offset) {
		List<Long> dimensions = new ArrayList<>(shape.length);
		for (long dimension : shape) {
			dimensions.add(dimension);
		}
		return new NDArrayDescriptor(name, size, dtype, dimensions, order, offset);
	}

	long[] shapeArray() {
		return this.shape.stream().mapToLong(Long::longValue).toArray();
	}

	/**
	 * Writes the descriptor as one line of JSON.
	 * @return the JSON
	 */
	public String toJson() {
		StringBuilder shape = new StringBuilder("[");
		for (int i = 0; i < this.shape.size(); i++) {
			shape.append((i > 0) ? "," : "").append(this.shape.get(i));
		}
		String dtype = this.dtype.isNative() ? this.dtype.name() : this.dtype.descr();
		return "{\"appose_type\":\"ndarray\",\"dtype\":" + Json.quote(dtype) + ",\"shape\":" + shape + "],\"order\":\""
				+ this.order + "\",\"offset\":" + this.offset + ",\"shm\":{\"appose_type\":\"shm\",\"name\":"
				+ Json.quote(this.name) + ",\"rsize\":" + this.size + "}}";
	}

	/**
	 * Reads a descriptor from JSON, as {@link #toJson()} or Appose writes it.
	 * @param json the JSON
	 * @return the descriptor
	 * @throws IllegalArgumentException if it is not JSON, or not an array descriptor,
	 * naming the field at fault
	 */
	public static NDArrayDescriptor fromJson(String json) {
		Objects.requireNonNull(json, "json must not be null");
		Map<?, ?> array = object(Json.parse(json), "the descriptor");
		if (array.containsKey("appose_type") && !"ndarray".equals(array.get("appose_type"))) {
			throw invalid("its appose_type is " + array.get("appose_type") + ", not \"ndarray\"");
		}
		Map<?, ?> shm = object(array.get("shm"), "\"shm\"");
		Object name = shm.get("name");
		if (!(name instanceof String)) {
			throw invalid("\"shm\" has no \"name\" string");
		}
		long size = integer(shm.containsKey("rsize") ? shm.get("rsize") : shm.get("size"), "\"shm\".\"rsize\"");
		Object dtype = array.get("dtype");
		if (!(dtype instanceof String)) {
			throw invalid("it has no \"dtype\" string");
		}
		if (!(array.get("shape") instanceof List<?> dimensions)) {
			throw invalid("it has no \"shape\" list");
		}
		List<Long> shape = new ArrayList<>();
		for (Object dimension : dimensions) {
			shape.add(integer(dimension, "a dimension of \"shape\""));
		}
		Object order = array.containsKey("order") ? array.get("order") : "C";
		if (!"C".equals(order) && !"F".equals(order)) {
			throw invalid("its \"order\" is " + order + ", not \"C\" or \"F\"");
		}
		long offset = array.containsKey("offset") ? integer(array.get("offset"), "\"offset\"") : 0;
		return new NDArrayDescriptor((String) name, size, DType.parse((String) dtype), shape,
				Order.valueOf((String) order), offset);
	}

	private static Map<?, ?> object(@Nullable Object value, String what) {
		if (!(value instanceof Map<?, ?> map)) {
			throw invalid(what + " is not a JSON object");
		}
		return map;
	}

	private static long integer(@Nullable Object value, String what) {
		if (!(value instanceof Long number) || number < 0) {
			throw invalid(what + " is not a non-negative integer: " + value);
		}
		return number;
	}

	private static IllegalArgumentException invalid(String reason) {
		return new IllegalArgumentException("Not an array descriptor: " + reason);
	}

}
