package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sharedmemory.list.PythonRepr;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.bytes;
import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static dev.sharedmemory.python.PythonValues.tag;
import static dev.sharedmemory.python.PythonValues.tagAll;
import static dev.sharedmemory.python.PythonValues.untag;
import static dev.sharedmemory.python.PythonValues.untagAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Java and CPython share ShareableLists both ways, for every item type, on every CPython
 * 3.9+ found: what one side writes the other reads, formats, lengths and reprs agree, and
 * a block created for the same items is byte for byte the same. One Python process per
 * test and interpreter serves every case.
 */
class ShareableListInteropTests {

	private static final String SERVER = "interop_server.py";

	/**
	 * A repr of a large list is long and proves nothing more: compared for blocks below
	 * this size.
	 */
	private static final long REPR_LIMIT = 64 * 1024;

	private final String prefix = DevShm.uniquePrefix("jsl");

	private final List<ShareableList> handles = new ArrayList<>();

	@AfterEach
	void closeAndCheckNothingLeft() {
		this.handles.forEach(ShareableList::close);
		assertThat(DevShm.sweep(this.prefix)).as("blocks left in /dev/shm").isEmpty();
	}

	static List<PythonInterpreter> pythons() {
		return PythonInterpreters.find();
	}

	/**
	 * The lists both sides create: every item type and its edge values.
	 */
	static List<List<Object>> cases() {
		byte[] megabyte = new byte[1 << 20];
		new Random(42).nextBytes(megabyte);
		megabyte[megabyte.length - 1] = 1;
		byte[] allBytes = new byte[255];
		for (int i = 0; i < allBytes.length; i++) {
			allBytes[i] = (byte) (i + 1);
		}
		return List.of(Arrays.asList("howdy", bytes("HoWdY"), -273.154, 100L, null, true, 42L), List.of(), List.of(""),
				List.of("encodés", "ééééééé", "日本語のテキスト", "emoji 😀 and 𝄞", "a\u0000b", "it's \"quoted\"\n\t\\",
						"x".repeat(20_000)),
				List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1L << 53),
				List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE,
						Double.MAX_VALUE, 0.1, 1e16, 1e-5, -273.154),
				List.of(true, false), Arrays.asList(null, null, null),
				List.of(new byte[0], allBytes, bytes("12345678"), bytes("1234567"), new byte[] { 0, 0, 7 }),
				List.of(megabyte), LongStream.range(0, 400).boxed().map(Object.class::cast).toList());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void javaCreatesAndPythonReadsAndChanges(PythonInterpreter python) {
		List<List<Object>> cases = cases();
		List<ShareableList> lists = new ArrayList<>();
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			List<JsonObject> reads = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				ShareableList list = created(ShareableList.create(DevShm.DIRECTORY, name(i), cases.get(i)));
				lists.add(list);
				reads.add(op("sl_attach", "name", name(i), "repr", false));
				reads.add(op("sl_read", "name", name(i), "repr", list.shm().size() < REPR_LIMIT));
			}
			List<JsonObject> seen = session.call(reads);
			for (int i = 0; i < cases.size(); i++) {
				ShareableList list = lists.get(i);
				JsonObject read = ok(seen.get(2 * i + 1));
				assertThat(untagAll(read.getAsJsonArray("values"))).as("case %d", i).containsExactlyElementsOf(list);
				assertThat(untagAll(read.getAsJsonArray("values"))).as("case %d", i)
					.containsExactlyElementsOf(cases.get(i));
				assertThat(read.get("format").getAsString()).as("case %d", i).isEqualTo(list.format());
				assertThat(read.get("len").getAsInt()).as("case %d", i).isEqualTo(list.size());
				assertThat(read.get("size").getAsLong()).as("case %d", i).isEqualTo(list.shm().size());
				if (read.has("repr")) {
					assertThat(read.get("repr").getAsString()).as("case %d", i).isEqualTo(list.toString());
				}
			}
			List<JsonObject> writes = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				writes.addAll(pythonWrites(i, cases.get(i)));
			}
			List<JsonObject> written = session.call(writes);
			int at = 0;
			for (int i = 0; i < cases.size(); i++) {
				List<Object> expected = expectedAfterWrites(cases.get(i));
				if (!cases.get(i).isEmpty()) {
					ok(written.get(at++));
					ok(written.get(at++));
					assertThat(written.get(at++).get("error").getAsString()).isEqualTo("ValueError");
				}
				JsonObject after = ok(written.get(at++));
				assertThat(lists.get(i)).as("case %d", i).containsExactlyElementsOf(expected);
				assertThat(untagAll(after.getAsJsonArray("values"))).as("case %d", i)
					.containsExactlyElementsOf(expected);
				assertThat(after.get("format").getAsString()).as("case %d", i).isEqualTo(lists.get(i).format());
			}
			List<JsonObject> closes = new ArrayList<>();
			IntStream.range(0, cases.size()).forEach((i) -> closes.add(op("close", "name", name(i))));
			session.call(closes).forEach((result) -> ok(result));
			assertThat(session.finish()).as("Python's stderr").isEmpty();
			for (int i = 0; i < cases.size(); i++) {
				assertThat(DevShm.DIRECTORY.exists(name(i))).as("block %s after Python exited", name(i)).isTrue();
			}
		}
		finally {
			lists.forEach((list) -> list.shm().unlink());
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void pythonCreatesAndJavaReadsAndChanges(PythonInterpreter python) {
		List<List<Object>> cases = cases();
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			List<JsonObject> creates = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				creates.add(op("sl_create", "name", name(i), "items", tagAll(cases.get(i)), "repr", false));
			}
			List<JsonObject> created = session.call(creates);
			List<ShareableList> lists = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				JsonObject info = ok(created.get(i));
				ShareableList list = created(ShareableList.attach(name(i)));
				lists.add(list);
				List<Object> expected = cases.get(i).stream().map(ShareableListInteropTests::asCPythonStores).toList();
				assertThat(list).as("case %d", i).containsExactlyElementsOf(expected);
				assertThat(list.format()).as("case %d", i).isEqualTo(info.get("format").getAsString());
				assertThat(list.size()).as("case %d", i).isEqualTo(info.get("len").getAsInt());
				assertThat(list.shm().size()).as("case %d", i).isEqualTo(info.get("size").getAsLong());
				if (cases.get(i).stream().allMatch(ShareableListInteropTests::sizedAlike)) {
					assertSameBytesAsJava(list, cases.get(i));
				}
			}
			List<JsonObject> reprs = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				reprs.add(op("sl_read", "name", name(i), "repr", lists.get(i).shm().size() < REPR_LIMIT));
			}
			List<JsonObject> seen = session.call(reprs);
			for (int i = 0; i < cases.size(); i++) {
				JsonObject read = ok(seen.get(i));
				if (read.has("repr")) {
					assertThat(lists.get(i).toString()).as("case %d", i).isEqualTo(read.get("repr").getAsString());
				}
				else if (lists.get(i).shm().size() < REPR_LIMIT) {
					// Python fails on text it cut inside a character itself; Java reads
					// it (see below).
					assertThat(read.get("repr_error").getAsString()).isEqualTo("UnicodeDecodeError");
					assertThat(cases.get(i)).as("case %d", i)
						.anyMatch((item) -> !ShareableListInteropTests.sizedAlike(item));
				}
			}
			List<JsonObject> reads = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				ShareableList list = lists.get(i);
				if (!list.isEmpty()) {
					int last = list.size() - 1;
					int slot = slotSize(cases.get(i).get(0));
					list.set(0, 12345);
					list.set(last, "Jé😀");
					assertThatIllegalArgumentException().isThrownBy(() -> list.set(0, new byte[slot + 1]))
						.withMessageContaining("exceeds the available storage");
				}
				reads.add(op("sl_read", "name", name(i), "repr", false));
			}
			List<JsonObject> after = session.call(reads);
			List<JsonObject> cleanups = new ArrayList<>();
			for (int i = 0; i < cases.size(); i++) {
				JsonObject read = ok(after.get(i));
				assertPythonSees(read.getAsJsonArray("values"), lists.get(i), cases.get(i));
				assertThat(read.get("format").getAsString()).as("case %d", i).isEqualTo(lists.get(i).format());
				// Half the blocks Python unlinks; the other half it hands over for Java
				// to unlink.
				cleanups.add(op((i % 2 == 0) ? "unlink" : "hand_over", "name", name(i)));
			}
			session.call(cleanups).forEach((result) -> ok(result));
			assertThat(session.finish()).as("Python's stderr").isEmpty();
			for (int i = 0; i < cases.size(); i++) {
				assertThat(DevShm.DIRECTORY.exists(name(i))).as("block %s", name(i)).isEqualTo(i % 2 == 1);
				if (i % 2 == 1) {
					lists.get(i).shm().unlink();
				}
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void textCPythonCutShortIsReadWithoutFailing(PythonInterpreter python) {
		// CPython sizes a str slot by characters (gh-88336): 7 two-byte characters get 8
		// bytes, the 8th cut in two.
		List<Object> items = List.of("ééééééé", "aéééééé", "日本語", "abcdef😀", "éééééééé");
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			JsonObject info = ok(session.call(op("sl_create", "name", name(0), "items", tagAll(items), "repr", false)));
			JsonObject read = ok(session.call(op("sl_read", "name", name(0), "repr", false)));
			try (ShareableList list = ShareableList.attach(name(0))) {
				assertThat(list.format()).isEqualTo(info.get("format").getAsString()).isEqualTo("8s8s8s8s16s");
				assertThat(list).containsExactly("éééé", "aééé", "日本", "abcdef", "éééééééé");
				List<JsonObject> values = new ArrayList<>();
				read.getAsJsonArray("values").forEach((value) -> values.add(value.getAsJsonObject()));
				// CPython itself reads the text it cut inside a character as an error,
				// and the rest as Java does.
				assertThat(values.get(1).get("error").getAsString()).isEqualTo("UnicodeDecodeError");
				assertThat(values.get(2).get("error").getAsString()).isEqualTo("UnicodeDecodeError");
				assertThat(values.get(3).get("error").getAsString()).isEqualTo("UnicodeDecodeError");
				assertThat(untag(values.get(0))).isEqualTo(list.get(0));
				assertThat(untag(values.get(4))).isEqualTo(list.get(4));
			}
			ok(session.call(op("unlink", "name", name(0))));
			assertThat(session.finish()).isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void countAndIndexAgreeWithPython(PythonInterpreter python) {
		List<Object> items = Arrays.asList(1L, 1.0, true, 0L, false, 0.0, -0.0, Double.NaN, "a", bytes("a"), null,
				1L << 53, 0x1p53, Long.MIN_VALUE, 0x1p63, "1");
		List<Object> probes = Arrays.asList(1, 1L, 1.0, true, 0L, false, -0.0, Double.NaN, "a", bytes("a"), null,
				(1L << 53) + 1, 0x1p53, Long.MIN_VALUE, -0x1p63, Long.MAX_VALUE, 0x1p63, "1", "missing", 2.5);
		List<JsonObject> probeOps = new ArrayList<>();
		try (PythonSession session = PythonSession.start(python, SERVER);
				ShareableList list = created(ShareableList.create(DevShm.DIRECTORY, name(0), items))) {
			probeOps.add(op("sl_attach", "name", name(0)));
			probeOps.add(op("sl_count", "name", name(0), "probes", tagAll(probes)));
			List<JsonObject> answers = session.call(probeOps);
			ok(answers.get(0));
			List<JsonObject> results = new ArrayList<>();
			ok(answers.get(1)).getAsJsonArray("results").forEach((result) -> results.add(result.getAsJsonObject()));
			for (int i = 0; i < probes.size(); i++) {
				Object probe = probes.get(i);
				assertThat(list.count(probe)).as("count(%s)", PythonRepr.value(probe))
					.isEqualTo(results.get(i).get("count").getAsInt());
				assertThat(list.indexOf(probe)).as("index(%s)", PythonRepr.value(probe))
					.isEqualTo(results.get(i).get("index").getAsInt());
			}
			ok(session.call(op("close", "name", name(0))));
			assertThat(session.finish()).isEmpty();
		}
		finally {
			DevShm.DIRECTORY.unlink(name(0));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("pythons")
	void reprOfValuesAgreesWithPython(PythonInterpreter python) {
		Random random = new Random(7);
		List<Long> bits = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			bits.add(random.nextLong());
			bits.add(Double.doubleToRawLongBits(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20)));
		}
		for (int exponent = -1074; exponent <= 1023; exponent++) {
			bits.add(Double.doubleToRawLongBits(Math.scalb(1.0, exponent)));
		}
		for (double value : new double[] { 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 123456789.125, 1e22, 1e23,
				5e-324, Double.MAX_VALUE, 0.1, 0.2 + 0.1, 100.0, -273.154, 2.5e-7 }) {
			bits.add(Double.doubleToRawLongBits(value));
		}
		List<Object> texts = List.of("plain", "it's", "say \"hi\"", "both ' and \"", "tab\tnewline\nreturn\r",
				"back\\slash", "\u0000\u0001\u001f\u007f", "\u0080\u009f\u00a0\u00ad\u00e9", "\u200b\u2028\u2029\u3000",
				"\ue000 private", "日本語", "😀𝄞", "e\u0301", bytes("b'\"\\\u0000"), bytes("it's"),
				new byte[] { -1, 127 });
		JsonArray bitsJson = new JsonArray();
		bits.forEach((value) -> bitsJson.add(Long.toString(value)));
		try (PythonSession session = PythonSession.start(python, SERVER)) {
			List<JsonObject> answers = session
				.call(List.of(op("float_reprs", "bits", bitsJson), op("str_reprs", "values", tagAll(texts))));
			List<String> floatReprs = new ArrayList<>();
			ok(answers.get(0)).getAsJsonArray("reprs").forEach((repr) -> floatReprs.add(repr.getAsString()));
			for (int i = 0; i < bits.size(); i++) {
				double value = Double.longBitsToDouble(bits.get(i));
				assertThat(PythonRepr.floating(value)).as("repr of %s", value).isEqualTo(floatReprs.get(i));
			}
			List<String> textReprs = new ArrayList<>();
			ok(answers.get(1)).getAsJsonArray("reprs").forEach((repr) -> textReprs.add(repr.getAsString()));
			for (int i = 0; i < texts.size(); i++) {
				assertThat(PythonRepr.value(texts.get(i))).isEqualTo(textReprs.get(i));
			}
			assertThat(session.finish()).isEmpty();
		}
	}

	/**
	 * Python reads what Java reads, except the text CPython cut inside a character when
	 * it created the list: that it fails to decode, where Java drops the incomplete
	 * character.
	 */
	private static void assertPythonSees(JsonArray values, List<Object> javaView, List<Object> created) {
		assertThat(values.size()).isEqualTo(javaView.size());
		for (int i = 0; i < values.size(); i++) {
			JsonObject value = values.get(i).getAsJsonObject();
			if (value.has("error")) {
				assertThat(value.get("error").getAsString()).isEqualTo("UnicodeDecodeError");
				assertThat(sizedAlike(created.get(i))).as("item %d", i).isFalse();
				assertThat(javaView.get(i)).isEqualTo(asCPythonStores(created.get(i)));
			}
			else {
				assertThat(untag(value)).as("item %d", i).isEqualTo(javaView.get(i));
			}
		}
	}

	private ShareableList created(ShareableList list) {
		this.handles.add(list);
		return list;
	}

	private String name(int index) {
		return this.prefix + index;
	}

	private List<JsonObject> pythonWrites(int index, List<Object> items) {
		List<JsonObject> writes = new ArrayList<>();
		if (!items.isEmpty()) {
			int last = items.size() - 1;
			writes.add(op("sl_set", "name", name(index), "index", 0, "value", tag(12345L)));
			writes.add(op("sl_set", "name", name(index), "index", last, "value", tag("Pé😀")));
			writes
				.add(op("sl_set", "name", name(index), "index", 0, "value", tag(new byte[slotSize(items.get(0)) + 1])));
		}
		writes.add(op("sl_read", "name", name(index), "repr", false));
		return writes;
	}

	private static List<Object> expectedAfterWrites(List<Object> items) {
		List<Object> expected = new ArrayList<>(items);
		if (!expected.isEmpty()) {
			expected.set(0, 12345L);
			expected.set(expected.size() - 1, "Pé😀");
		}
		return expected;
	}

	private static int slotSize(Object item) {
		if (item instanceof String text) {
			return cpythonSlotSize(text.getBytes(StandardCharsets.UTF_8).length);
		}
		if (item instanceof byte[] bytes) {
			return cpythonSlotSize(bytes.length);
		}
		return 8;
	}

	/**
	 * CPython's {@code self._alignment * (len(item) // self._alignment + 1)}, written out
	 * here as the oracle.
	 */
	private static int cpythonSlotSize(int length) {
		return 8 * (length / 8 + 1);
	}

	/**
	 * Whether CPython gives the item the same slot as Java: anything but text whose UTF-8
	 * is longer.
	 */
	private static boolean sizedAlike(Object item) {
		return !(item instanceof String text)
				|| text.codePointCount(0, text.length()) == text.getBytes(StandardCharsets.UTF_8).length;
	}

	/**
	 * What CPython keeps of an item it stores: trailing NULs go, and text is cut at its
	 * character-counted slot.
	 */
	private static Object asCPythonStores(Object item) {
		if (item instanceof byte[] bytes) {
			int end = bytes.length;
			while (end > 0 && bytes[end - 1] == 0) {
				end--;
			}
			return Arrays.copyOf(bytes, end);
		}
		if (item instanceof String text) {
			byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
			int kept = Math.min(utf8.length, cpythonSlotSize(text.codePointCount(0, text.length())));
			// The JDK's decoder, told more input may follow, leaves an incomplete last
			// character undecoded.
			CharBuffer chars = CharBuffer.allocate(kept);
			CoderResult result = StandardCharsets.UTF_8.newDecoder()
				.decode(ByteBuffer.wrap(utf8, 0, kept), chars, false);
			assertThat(result.isError()).as("decoding the first %d bytes of %s", kept, text).isFalse();
			return chars.flip().toString();
		}
		return item;
	}

	private static byte[] contents(SharedMemory shm) {
		byte[] bytes = new byte[(int) shm.size()];
		shm.buf().get(bytes);
		return bytes;
	}

	/** Java's block for the same items is byte for byte CPython's. */
	private void assertSameBytesAsJava(ShareableList fromPython, List<Object> items) {
		try (ShareableList fromJava = ShareableList.create(DevShm.DIRECTORY, this.prefix + "java", items)) {
			try {
				assertThat(contents(fromJava.shm())).isEqualTo(contents(fromPython.shm()));
			}
			finally {
				fromJava.shm().unlink();
			}
		}
	}

}
