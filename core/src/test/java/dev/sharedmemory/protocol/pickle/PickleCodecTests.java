package dev.sharedmemory.protocol.pickle;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The pickle subset against CPython: what each version pickles with protocols 2 to 5
 * decodes to the right values, what the encoder writes each version unpickles to the
 * right values, and everything outside the subset is refused with a message that names
 * the opcode.
 */
class PickleCodecTests {

	private static final String VALUES = "(None, 'track_segment', ('psm_0a1b2c3d', 'é€😀' * 100), "
			+ "{'k': [True, False, 0, 255, 65535, -1, 2**31 - 1, -2**31, 2**63 - 1, -2**63, 2**64, -(2**200), 1.5, "
			+ "float('inf'), b'', b'\\x00\\xff' * 200, (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)], 'e': {}, "
			+ "(1, 'x'): []})";

	private final PickleDecoder decoder = new PickleDecoder();

	static List<PythonInterpreter> interpreters() {
		return PythonInterpreters.find();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void decodesWhatCPythonPicklesWithProtocols2To5(PythonInterpreter interpreter) throws Exception {
		try (PythonSession python = PythonSession.start(interpreter, "manager_peer.py")) {
			for (int protocol = 2; protocol <= 5; protocol++) {
				// Python 3 pickles bytes with protocol 2 as a call of _codecs.encode, a
				// global: refused.
				String values = (protocol == 2) ? VALUES.replace("b''", "None").replace("b'\\x00\\xff' * 200", "None")
						: VALUES;
				String hex = ok(python.call(op("pickle", "expr", values, "protocol", protocol))).get("hex")
					.getAsString();
				assertExpected(this.decoder.decode(HexFormat.of().parseHex(hex)), protocol > 2);
			}
			String bytes2 = ok(python.call(op("pickle", "expr", "b'x'", "protocol", 2))).get("hex").getAsString();
			assertThatExceptionOfType(ForbiddenOpcodeException.class)
				.isThrownBy(() -> this.decoder.decode(HexFormat.of().parseHex(bytes2)))
				.withMessageContaining("GLOBAL");
			python.finish();
		}
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void cpythonUnpicklesWhatTheEncoderWrites(PythonInterpreter interpreter) throws Exception {
		Map<Object, Object> dict = new LinkedHashMap<>();
		dict.put("k",
				Arrays.asList(true, false, 0, 255, 65535, -1L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE,
						Long.MAX_VALUE, Long.MIN_VALUE, BigInteger.TWO.pow(64), BigInteger.TWO.pow(200).negate(), 1.5,
						Double.POSITIVE_INFINITY, new byte[0], null, PickleTuple.of(), PickleTuple.of(1),
						PickleTuple.of(1, 2), PickleTuple.of(1, 2, 3), PickleTuple.of(1, 2, 3, 4), "x".repeat(300)));
		dict.put(PickleTuple.of(1, "x"), List.of());
		byte[] pickle = new PickleEncoder().encode(PickleTuple.of("#RETURN", dict));
		String expected = "('#RETURN', {'k': [True, False, 0, 255, 65535, -1, 2147483647, -2147483648, "
				+ "9223372036854775807, -9223372036854775808, 18446744073709551616, -" + BigInteger.TWO.pow(200)
				+ ", 1.5, inf, b'', None, (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), '" + "x".repeat(300)
				+ "'], (1, 'x'): []})";
		try (PythonSession python = PythonSession.start(interpreter, "manager_peer.py")) {
			assertThat(
					ok(python.call(op("unpickle", "hex", HexFormat.of().formatHex(pickle)))).get("repr").getAsString())
				.isEqualTo(expected);
			python.finish();
		}
		assertThat(new PickleEncoder().encode(this.decoder.decode(pickle))).isEqualTo(pickle);
	}

	@Test
	void refusesEveryOpcodeThatNamesAGlobalOrBuildsAnObject() {
		Map<String, String> forbidden = Map.ofEntries(Map.entry("GLOBAL", "cos\nsystem\n"),
				Map.entry("STACK_GLOBAL", "\u0093"), Map.entry("REDUCE", "N)R"), Map.entry("BUILD", "}}b"),
				Map.entry("INST", "(ios\nsystem\n"), Map.entry("OBJ", "(No"), Map.entry("NEWOBJ", "N)\u0081"),
				Map.entry("NEWOBJ_EX", "N)}\u0092"), Map.entry("PERSID", "P1\n"), Map.entry("BINPERSID", "NQ"),
				Map.entry("EXT1", "\u0082\u0001"), Map.entry("EXT2", "\u0083\u0001\u0000"),
				Map.entry("EXT4", "\u0084\u0001\u0000\u0000\u0000"), Map.entry("NEXT_BUFFER", "\u0097"));
		forbidden.forEach((opcode, body) -> assertThatExceptionOfType(ForbiddenOpcodeException.class)
			.isThrownBy(() -> this.decoder.decode(latin1("\u0080\u0004" + body + ".")))
			.withMessageStartingWith("Pickle opcode " + opcode + " at offset ")
			.withMessageContaining("is refused"));
	}

	@Test
	void refusesWhatIsOutsideTheSubsetOrMalformed() {
		Map<String, String> refused = Map.ofEntries(Map.entry("N", "does not start with PROTO"),
				Map.entry("\u0080\u0001N.", "Unsupported pickle protocol 1"),
				Map.entry("\u0080\u0006N.", "Unsupported pickle protocol 6"),
				Map.entry("\u0080\u0004N", "ends without STOP"), Map.entry("\u0080\u0004NN.", "leaves 2 items"),
				Map.entry("\u0080\u0004N.N", "1 bytes after its STOP"),
				Map.entry("\u0080\u0004X\u00f0\u00ff\u00ff\u007f.", "BINUNICODE at offset 2 needs 2147483632 bytes"),
				Map.entry("\u0080\u0004\u008e\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff.",
						"needs more than 2 GiB"),
				Map.entry("\u0080\u0004\u008b\u0000\u0000\u0000\u0080.", "negative byte count"),
				Map.entry("\u0080\u0004]\u0094h\u0000a.", "fetches a container again"),
				Map.entry("\u0080\u0004]2a.", "DUP"), Map.entry("\u0080\u0004\u008f.", "sets are not part"),
				Map.entry("\u0080\u0004I1\n.", "protocols 0 and 1"), Map.entry("\u0080\u0004h\u0005.", "never stored"),
				Map.entry("\u0080\u0004N\u0086.", "TUPLE2 at offset 3 finds the stack empty"),
				Map.entry("\u0080\u0004}]Ns.", "unhashable"), Map.entry("\u0080\u0004NNa.", "not a list"),
				Map.entry("\u0080\u0004C\u0005ab.", "SHORT_BINBYTES at offset 2 needs 5 bytes, but only 3 are left"),
				Map.entry("\u0080\u0004\u008c\u0002\u00c3\u0028.", "not valid UTF-8"),
				Map.entry("\u0080\u0004\u00ff.", "Unknown pickle opcode 0xff"),
				Map.entry("\u0080\u0004(.", "leaves 0 items and 1 marks"));
		refused.forEach((pickle, message) -> assertThatExceptionOfType(PickleException.class).as(message)
			.isThrownBy(() -> this.decoder.decode(latin1(pickle)))
			.withMessageContaining(message));
	}

	@Test
	void boundsHowDeepContainersNest() throws Exception {
		String deep = "\u0080\u0004" + "]".repeat(101) + "a".repeat(100) + ".";
		assertThatExceptionOfType(PickleException.class).isThrownBy(() -> this.decoder.decode(latin1(deep)))
			.withMessageContaining("nests containers more than 100 deep");
		String ok = "\u0080\u0004" + "]".repeat(100) + "a".repeat(99) + ".";
		assertThat(this.decoder.decode(latin1(ok))).isInstanceOf(List.class);
	}

	@SuppressWarnings("unchecked")
	private static void assertExpected(Object decoded, boolean withBytes) {
		PickleTuple request = (PickleTuple) decoded;
		assertThat(request.get(0)).isNull();
		assertThat(request.get(1)).isEqualTo("track_segment");
		assertThat(request.get(2)).isEqualTo(PickleTuple.of("psm_0a1b2c3d", "é€😀".repeat(100)));
		Map<Object, Object> kwds = (Map<Object, Object>) request.get(3);
		assertThat(kwds.keySet()).containsExactly("k", "e", PickleTuple.of(1L, "x"));
		List<Object> values = (List<Object>) kwds.get("k");
		assertThat(values.subList(0, 14)).containsExactly(true, false, 0L, 255L, 65535L, -1L, 2147483647L, -2147483648L,
				Long.MAX_VALUE, Long.MIN_VALUE, BigInteger.TWO.pow(64), BigInteger.TWO.pow(200).negate(), 1.5,
				Double.POSITIVE_INFINITY);
		if (withBytes) {
			assertThat((byte[]) values.get(14)).isEmpty();
			assertThat((byte[]) values.get(15)).hasSize(400).startsWith(0, 0xff);
		}
		else {
			assertThat(values.subList(14, 16)).containsOnlyNulls();
		}
		assertThat(values.subList(16, 21)).containsExactly(PickleTuple.of(), PickleTuple.of(1L), PickleTuple.of(1L, 2L),
				PickleTuple.of(1L, 2L, 3L), PickleTuple.of(1L, 2L, 3L, 4L));
		assertThat(kwds.get("e")).isEqualTo(Map.of());
		assertThat(kwds.get(PickleTuple.of(1L, "x"))).isEqualTo(List.of());
	}

	private static byte[] latin1(String text) {
		return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
	}

}
