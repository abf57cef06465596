package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import com.google.gson.JsonObject;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java and CPython share raw SharedMemory blocks both ways, on every CPython 3.9+ found:
 * sizes are exact on both sides, each sees every byte the other wrote, the reprs agree,
 * and a block survives the exit of a Python process that only attached to it.
 */
class SharedMemoryInteropTests {

	private static final String SERVER = "interop_server.py";

	private static final int[] SIZES = { 1, 7, 4095, 4096, 4097, 3 << 20 };

	private final String prefix = DevShm.uniquePrefix("jshm");

	private final List<SharedMemory> handles = new ArrayList<>();

	@AfterEach
	void closeAndCheckNothingLeft() {
		this.handles.forEach(SharedMemory::close);
		assertThat(DevShm.sweep(this.prefix)).as("blocks left in /dev/shm").isEmpty();
	}

	static List<PythonInterpreter> pythons() {
		return PythonInterpreters.find();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void javaCreatesAndPythonReadsAndWrites(PythonInterpreter python) {
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			List<JsonObject> attaches = new ArrayList<>();
			for (int i = 0; i < SIZES.length; i++) {
				SharedMemory block = handle(DevShm.DIRECTORY.create(name(i), SIZES[i]));
				fill(block.buf(), i);
				attaches.add(op("shm_attach", "name", name(i)));
			}
			List<JsonObject> attached = session.call(attaches);
			List<JsonObject> writes = new ArrayList<>();
			for (int i = 0; i < SIZES.length; i++) {
				SharedMemory block = this.handles.get(i);
				JsonObject info = ok(attached.get(i));
				assertThat(info.get("size").getAsLong()).isEqualTo(SIZES[i]).isEqualTo(block.size());
				assertThat(info.get("repr").getAsString()).isEqualTo(block.toString());
				assertThat(info.get("sha256").getAsString()).as("Python's digest of %s", block)
					.isEqualTo(sha256(block.buf()));
				for (int offset : offsets(SIZES[i])) {
					writes.add(
							op("shm_write", "name", name(i), "offset", offset, "b64", base64(marker("py", i, offset))));
				}
				writes.add(op("close", "name", name(i)));
			}
			session.call(writes).forEach((result) -> ok(result));
			for (int i = 0; i < SIZES.length; i++) {
				SharedMemory block = this.handles.get(i);
				for (int offset : offsets(SIZES[i])) {
					byte[] expected = marker("py", i, offset);
					assertThat(read(block, offset, expected.length)).as("%s at %d", block, offset).isEqualTo(expected);
				}
			}
			assertThat(session.finish()).as("Python's stderr").isEmpty();
			for (int i = 0; i < SIZES.length; i++) {
				assertThat(DevShm.DIRECTORY.exists(name(i))).as("block %s after Python exited", name(i)).isTrue();
			}
		}
		finally {
			this.handles.forEach(SharedMemory::unlink);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void pythonCreatesAndJavaReadsAndWrites(PythonInterpreter python) {
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			List<JsonObject> creates = new ArrayList<>();
			for (int i = 0; i < SIZES.length; i++) {
				creates.add(op("shm_create", "name", name(i), "size", SIZES[i], "seed", i));
			}
			List<JsonObject> created = session.call(creates);
			List<JsonObject> reads = new ArrayList<>();
			for (int i = 0; i < SIZES.length; i++) {
				JsonObject info = ok(created.get(i));
				// A leading slash names the same block, as with shm_open(3).
				SharedMemory block = handle(DevShm.DIRECTORY.attach("/" + name(i)));
				assertThat(block.size()).isEqualTo(SIZES[i]).isEqualTo(info.get("size").getAsLong());
				assertThat(block.toString()).isEqualTo(info.get("repr").getAsString());
				ByteBuffer expected = ByteBuffer.allocate(SIZES[i]);
				fill(expected, i);
				assertThat(sha256(block.buf())).as("%s", block).isEqualTo(sha256(expected));
				for (int offset : offsets(SIZES[i])) {
					byte[] marker = marker("java", i, offset);
					block.buf(offset, marker.length).put(marker);
					reads.add(op("shm_read", "name", name(i), "offset", offset, "length", marker.length));
				}
				reads.add(op("shm_digest", "name", name(i)));
			}
			List<JsonObject> seen = session.call(reads);
			List<JsonObject> cleanups = new ArrayList<>();
			int at = 0;
			for (int i = 0; i < SIZES.length; i++) {
				for (int offset : offsets(SIZES[i])) {
					byte[] decoded = Base64.getDecoder().decode(ok(seen.get(at++)).get("b64").getAsString());
					assertThat(decoded).as("Python reading %s at %d", name(i), offset)
						.isEqualTo(marker("java", i, offset));
				}
				assertThat(ok(seen.get(at++)).get("sha256").getAsString()).isEqualTo(sha256(this.handles.get(i).buf()));
				// Half the blocks Python unlinks; the other half it hands over for Java
				// to unlink.
				cleanups.add(op((i % 2 == 0) ? "unlink" : "hand_over", "name", name(i)));
			}
			session.call(cleanups).forEach((result) -> ok(result));
			assertThat(session.finish()).as("Python's stderr").isEmpty();
			for (int i = 0; i < SIZES.length; i++) {
				assertThat(DevShm.DIRECTORY.exists(name(i))).as("block %s", name(i)).isEqualTo(i % 2 == 1);
				if (i % 2 == 1) {
					this.handles.get(i).unlink();
				}
			}
		}
	}

	private SharedMemory handle(SharedMemory block) {
		this.handles.add(block);
		return block;
	}

	private String name(int index) {
		return this.prefix + index;
	}

	/**
	 * Where each side writes: the first and last bytes and the middle, as many as the
	 * block has room for.
	 */
	private static int[] offsets(int size) {
		return (size < 16) ? new int[] { 0 } : new int[] { 0, size / 2, size - 8 };
	}

	/** A few bytes that tell who wrote them where, cut to fit a tiny block. */
	private static byte[] marker(String writer, int block, int offset) {
		String text = (writer + block + "@" + offset + "........").substring(0, Math.min(8, SIZES[block]));
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	// The pattern interop_server.py fills its blocks with: byte i is (i * 31 + seed) mod
	// 256.
	private static void fill(ByteBuffer buffer, int seed) {
		for (int i = 0; i < buffer.limit(); i++) {
			buffer.put(i, (byte) (i * 31 + seed));
		}
	}

	private static byte[] read(SharedMemory block, int offset, int length) {
		byte[] bytes = new byte[length];
		block.buf(offset, length).get(bytes);
		return bytes;
	}

	private static String sha256(ByteBuffer buffer) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update(buffer.duplicate());
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

}
