package dev.sharedmemory.ndarray;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java's arrays read and written by every CPython 3.9 to 3.13 present without numpy, as a
 * worker with the standard library only does: {@code ast.literal_eval} of the header,
 * {@code memoryview.cast} of native data, {@code struct} for the other byte order.
 */
class NpyHeaderCPythonTests {

	private static final List<long[]> SHAPES = List.of(new long[0], new long[] { 0 }, new long[] { 5 },
			new long[] { 2, 3 });

	@RegisterExtension
	final TestBlocks blocks = new TestBlocks();

	static List<PythonInterpreter> interpreters() {
		return PythonInterpreters.find();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void standardLibraryReadsAndWritesJavasArrays(PythonInterpreter interpreter) {
		Random random = new Random(interpreter.minor());
		List<NDArray> arrays = new ArrayList<>();
		List<JsonObject> reads = new ArrayList<>();
		for (DType dtype : InteropCases.dtypes()) {
			for (Order order : Order.values()) {
				for (long[] shape : SHAPES) {
					NDArray array = this.blocks
						.track(NDArray.create(TestBlocks.DIRECTORY, this.blocks.newName(), dtype, order, shape));
					array.data().put(InteropCases.data(dtype, InteropCases.elements(shape), random));
					arrays.add(array);
					reads.add(op("read", array));
				}
			}
		}
		try (PythonSession python = PythonSession.start(interpreter, "npy_header.py")) {
			List<JsonObject> results = python.call(reads);
			List<JsonObject> writes = new ArrayList<>();
			List<String> written = new ArrayList<>();
			for (int i = 0; i < arrays.size(); i++) {
				NDArray array = arrays.get(i);
				JsonObject read = results.get(i);
				assertThat(read.has("error")).as("%s: %s", array, read).isFalse();
				assertThat(read.get("descr").getAsString()).isEqualTo(array.dtype().descr());
				assertThat(read.get("fortran_order").getAsBoolean()).isEqualTo(array.order() == Order.F);
				assertThat(NDArrayNumpyInteropTests.shapeJson(array.shape())).isEqualTo(read.getAsJsonArray("shape"));
				assertThat(read.get("offset").getAsInt()).isEqualTo(array.headerLength());
				JsonArray values = read.getAsJsonArray("values");
				assertThat(values.size()).as("%s", array).isEqualTo(valueCount(array));
				for (int v = 0; v < values.size(); v++) {
					assertThat(sameValue(array, v, values.get(v))).as("%s value %d: %s", array, v, values.get(v))
						.isTrue();
				}
				if (values.size() > 0) {
					JsonObject write = op("write", array);
					write.addProperty("index", values.size() - 1);
					String value = (array.dtype().kind() == DType.Kind.BOOL) ? "true"
							: (array.dtype().kind() == DType.Kind.FLOAT || array.dtype().kind() == DType.Kind.COMPLEX)
									? "-0x1.8p+1" : "7";
					write.add("value", (value.equals("true")) ? new JsonPrimitive(true) : new JsonPrimitive(value));
					writes.add(write);
					written.add(array.shm().name());
				}
			}
			for (JsonObject result : python.call(writes)) {
				assertThat(result.has("error")).as("%s", result).isFalse();
			}
			python.finish();
			for (NDArray array : arrays) {
				if (written.contains(array.shm().name())) {
					int last = valueCount(array) - 1;
					JsonElement expected = switch (array.dtype().kind()) {
						case BOOL -> new JsonPrimitive(true);
						case FLOAT, COMPLEX -> new JsonPrimitive("-0x1.8p+1");
						default -> new JsonPrimitive("7");
					};
					assertThat(sameValue(array, last, expected)).as("%s after Python wrote its last value", array)
						.isTrue();
				}
			}
		}
	}

	private static JsonObject op(String op, NDArray array) {
		JsonObject json = new JsonObject();
		json.addProperty("op", op);
		json.addProperty("name", array.shm().name());
		return json;
	}

	private static int valueCount(NDArray array) {
		return (int) (array.size() * ((array.dtype().kind() == DType.Kind.COMPLEX) ? 2 : 1));
	}

	/**
	 * Compares the value Python read (in memory order) with Java's: floats as Python's
	 * {@code float.hex()}, integers as decimal text, booleans as JSON booleans.
	 */
	private static boolean sameValue(NDArray array, int index, JsonElement python) {
		int width = array.dtype().itemSize() / ((array.dtype().kind() == DType.Kind.COMPLEX) ? 2 : 1);
		var data = array.data();
		int at = index * width;
		return switch (array.dtype().kind()) {
			case BOOL -> python.getAsBoolean() == (data.get(at) != 0);
			case FLOAT, COMPLEX ->
				Double.parseDouble(python.getAsString()) == ((width == 4) ? data.getFloat(at) : data.getDouble(at));
			case INT -> Long.parseLong(python.getAsString()) == switch (width) {
				case 1 -> data.get(at);
				case 2 -> data.getShort(at);
				case 4 -> data.getInt(at);
				default -> data.getLong(at);
			};
			case UINT -> Long.parseUnsignedLong(python.getAsString()) == switch (width) {
				case 1 -> Byte.toUnsignedLong(data.get(at));
				case 2 -> Short.toUnsignedLong(data.getShort(at));
				case 4 -> Integer.toUnsignedLong(data.getInt(at));
				default -> data.getLong(at);
			};
		};
	}

}
