package dev.sharedmemory.ndarray;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with real numpy, both ways, for every dtype in both byte orders, both orders
 * and shapes from 0-d and empty to three dimensions: Java creates and numpy
 * ({@code np.load(mmap_mode="r+")}) reads and writes; numpy creates ({@code np.save} into
 * {@code /dev/shm}, {@code open_memmap}) and Java attaches, reads and writes; and a block
 * Java creates holds byte for byte what numpy writes for the same array.
 */
class NDArrayNumpyInteropTests {

	private static final Base64.Encoder BASE64 = Base64.getEncoder();

	@RegisterExtension
	final TestBlocks blocks = new TestBlocks();

	private record Case(DType dtype, Order order, long[] shape, byte[] data, byte[] written) {

		String describe() {
			return this.dtype + " " + this.order + " " + NpyLayout.tuple(this.shape);
		}

		JsonObject op(String op) {
			JsonObject json = new JsonObject();
			json.addProperty("op", op);
			json.addProperty("dtype", this.dtype.descr());
			json.add("shape", shapeJson(this.shape));
			json.addProperty("fortran", this.order == Order.F);
			json.addProperty("data", BASE64.encodeToString(this.data));
			return json;
		}

		/**
		 * Returns the order np.save writes: Fortran only for an array that is not also
		 * C-contiguous.
		 */
		Order savedOrder() {
			long large = Arrays.stream(this.shape).filter((d) -> d > 1).count();
			boolean empty = Arrays.stream(this.shape).anyMatch((d) -> d == 0);
			return (this.order == Order.F && large > 1 && !empty) ? Order.F : Order.C;
		}

	}

	@Test
	void everyDtypeOrderAndShapeCrossesBothWays() throws IOException {
		List<Case> cases = new ArrayList<>();
		Random random = new Random(5);
		for (DType dtype : InteropCases.dtypes()) {
			for (Order order : Order.values()) {
				for (long[] shape : InteropCases.SHAPES) {
					long elements = InteropCases.elements(shape);
					cases.add(new Case(dtype, order, shape, InteropCases.data(dtype, elements, random),
							InteropCases.data(dtype, 1, random)));
				}
			}
		}
		try (PythonSession numpy = PythonSession.start(numpyInterpreter(), "ndarray_numpy.py")) {
			javaCreatesNumpyReadsAndWrites(numpy, cases);
			numpyCreatesJavaReadsAndWrites(numpy, cases);
			numpy.finish();
		}
	}

	private void javaCreatesNumpyReadsAndWrites(PythonSession numpy, List<Case> cases) throws IOException {
		List<JsonObject> ops = new ArrayList<>();
		List<NDArray> arrays = new ArrayList<>();
		List<byte[]> images = new ArrayList<>();
		for (Case c : cases) {
			NDArray array = this.blocks
				.track(NDArray.create(TestBlocks.DIRECTORY, this.blocks.newName(), c.dtype(), c.order(), c.shape()));
			array.data().put(c.data());
			arrays.add(array);
			images.add(Files.readAllBytes(TestBlocks.DEV_SHM.resolve(array.shm().name())));
			JsonObject load = new JsonObject();
			load.addProperty("op", "load");
			load.addProperty("path", "/dev/shm/" + array.shm().name());
			if (array.size() > 0) {
				load.add("write_index", shapeJson(InteropCases.lastIndex(c.shape())));
				load.addProperty("write_value", BASE64.encodeToString(c.written()));
			}
			ops.add(load);
			ops.add(c.op("save_bytes"));
			JsonObject memmap = c.op("open_memmap_bytes");
			memmap.addProperty("prefix", this.blocks.prefix());
			ops.add(memmap);
		}
		List<JsonObject> results = numpy.call(ops);
		for (int i = 0; i < cases.size(); i++) {
			Case c = cases.get(i);
			NDArray array = arrays.get(i);
			JsonObject loaded = result(results, 3 * i, c);
			assertThat(loaded.get("descr").getAsString()).as(c.describe()).isEqualTo(c.dtype().descr());
			assertThat(longs(loaded.getAsJsonArray("shape"))).as(c.describe()).containsExactly(c.shape());
			assertThat(longs(loaded.getAsJsonArray("strides"))).as(c.describe()).containsExactly(array.strides());
			assertThat(loaded.get("offset").getAsLong()).as(c.describe()).isEqualTo(array.headerLength());
			assertThat(decode(loaded, "data")).as(c.describe()).isEqualTo(c.data());
			if (c.order() == Order.F && !loaded.get("c_contiguous").getAsBoolean()) {
				assertThat(loaded.get("f_contiguous").getAsBoolean()).as(c.describe()).isTrue();
			}
			byte[] expectedData = c.data().clone();
			if (array.size() > 0) {
				System.arraycopy(c.written(), 0, expectedData, expectedData.length - c.written().length,
						c.written().length);
			}
			byte[] seen = new byte[(int) array.nbytes()];
			array.data().get(seen);
			assertThat(seen).as("%s after numpy wrote its last element", c.describe()).isEqualTo(expectedData);
			byte[] saved = decode(result(results, 3 * i + 1, c), "bytes");
			byte[] memmapped = decode(result(results, 3 * i + 2, c), "bytes");
			assertThat(images.get(i)).as("%s as open_memmap writes it", c.describe()).isEqualTo(memmapped);
			byte[] header = NpyLayout.header(c.dtype(), c.savedOrder(), c.shape());
			assertThat(Arrays.copyOf(saved, header.length)).as("%s header as np.save writes it", c.describe())
				.isEqualTo(header);
			if (c.savedOrder() == c.order()) {
				assertThat(images.get(i)).as("%s as np.save writes it", c.describe()).isEqualTo(saved);
			}
		}
	}

	private void numpyCreatesJavaReadsAndWrites(PythonSession numpy, List<Case> cases) {
		List<JsonObject> ops = new ArrayList<>();
		List<String> names = new ArrayList<>();
		for (Case c : cases) {
			for (String op : List.of("save", "open_memmap")) {
				String name = this.blocks.newName();
				names.add(name);
				JsonObject create = c.op(op);
				create.addProperty("path", "/dev/shm/" + name);
				ops.add(create);
			}
		}
		List<JsonObject> created = numpy.call(ops);
		List<JsonObject> loads = new ArrayList<>();
		for (int i = 0; i < names.size(); i++) {
			Case c = cases.get(i / 2);
			result(created, i, c);
			NDArray array = this.blocks.track(NDArray.attach(TestBlocks.DIRECTORY, names.get(i)));
			assertThat(array.dtype()).as(c.describe()).isEqualTo(c.dtype());
			assertThat(array.shape()).as(c.describe()).containsExactly(c.shape());
			assertThat(array.order()).as(c.describe()).isEqualTo((i % 2 == 0) ? c.savedOrder() : c.order());
			assertThat(array.headerLength() % NpyLayout.ARRAY_ALIGN).isZero();
			byte[] seen = new byte[(int) array.nbytes()];
			array.data().get(seen);
			assertThat(seen).as(c.describe()).isEqualTo(c.data());
			if (array.size() > 0) {
				array.data(array.nbytes() - c.written().length, c.written().length).put(c.written());
			}
			JsonObject load = new JsonObject();
			load.addProperty("op", "load");
			load.addProperty("path", "/dev/shm/" + names.get(i));
			loads.add(load);
		}
		List<JsonObject> reloaded = numpy.call(loads);
		for (int i = 0; i < names.size(); i++) {
			Case c = cases.get(i / 2);
			byte[] expected = c.data().clone();
			if (expected.length > 0) {
				System.arraycopy(c.written(), 0, expected, expected.length - c.written().length, c.written().length);
			}
			assertThat(decode(result(reloaded, i, c), "data")).as("%s after Java wrote its last element", c.describe())
				.isEqualTo(expected);
		}
	}

	/**
	 * Returns the first interpreter that has numpy: the pyenv CPython here, Debian's
	 * python3-numpy in CI.
	 */
	static PythonInterpreter numpyInterpreter() {
		for (PythonInterpreter interpreter : PythonInterpreters.find()) {
			try {
				Process probe = new ProcessBuilder(interpreter.executable().toString(), "-I", "-c", "import numpy")
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
				if (probe.waitFor() == 0) {
					return interpreter;
				}
			}
			catch (IOException ex) {
				// Not runnable: the next one.
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}
		throw new AssertionError("The numpy interop tests need a CPython with numpy: none of "
				+ PythonInterpreters.find() + " has it (apt-get install python3-numpy)");
	}

	private static JsonObject result(List<JsonObject> results, int index, Case c) {
		JsonObject result = results.get(index);
		assertThat(result.has("error")).as("%s: numpy failed with %s", c.describe(), result).isFalse();
		return result;
	}

	private static byte[] decode(JsonObject result, String field) {
		return Base64.getDecoder().decode(result.get(field).getAsString());
	}

	private static long[] longs(JsonArray array) {
		long[] values = new long[array.size()];
		for (int i = 0; i < values.length; i++) {
			values[i] = array.get(i).getAsLong();
		}
		return values;
	}

	static JsonArray shapeJson(long[] shape) {
		JsonArray json = new JsonArray();
		for (long dimension : shape) {
			json.add(dimension);
		}
		return json;
	}

}
