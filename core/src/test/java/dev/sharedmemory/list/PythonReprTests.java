package dev.sharedmemory.list;

import java.util.Arrays;
import java.util.List;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link PythonRepr}, against what CPython prints (the interop tests compare
 * thousands more with a live CPython).
 */
class PythonReprTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "0.1|0.1", "-273.154|-273.154", "100.0|100.0", "1e16|1e+16", "1e15|1000000000000000.0",
					"1e-4|0.0001", "1e-5|1e-05", "1.5e300|1.5e+300", "4.9e-324|5e-324",
					"1.7976931348623157e308|1.7976931348623157e+308", "0.30000000000000004|0.30000000000000004",
					"123456789.125|123456789.125", "1e23|1e+23", "9007199254740993|9007199254740992.0", "-0.0|-0.0",
					"0.0|0.0" })
	void floatsAsCPython(double value, String repr) {
		assertThat(PythonRepr.floating(value)).isEqualTo(repr);
	}

	@Test
	void specialFloats() {
		assertThat(PythonRepr.floating(Double.NaN)).isEqualTo("nan");
		assertThat(PythonRepr.floating(Double.POSITIVE_INFINITY)).isEqualTo("inf");
		assertThat(PythonRepr.floating(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
	}

	@Test
	void strings() {
		assertThat(PythonRepr.str("howdy")).isEqualTo("'howdy'");
		assertThat(PythonRepr.str("it's")).isEqualTo("\"it's\"");
		assertThat(PythonRepr.str("a\"b'c")).isEqualTo("'a\"b\\'c'");
		assertThat(PythonRepr.str("\\\t\n\r\u0000\u007f")).isEqualTo("'\\\\\\t\\n\\r\\x00\\x7f'");
		assertThat(PythonRepr.str("é日本😀")).isEqualTo("'é日本😀'");
		assertThat(PythonRepr.str("\u00a0\u200b\u2028\ue000\udbff\udfff"))
			.isEqualTo("'\\xa0\\u200b\\u2028\\ue000\\U0010ffff'");
	}

	@Test
	void bytesAndOthers() {
		assertThat(PythonRepr.value("HoWdY".getBytes())).isEqualTo("b'HoWdY'");
		assertThat(PythonRepr.value(new byte[] { '\'', 0, -1, '\n' })).isEqualTo("b\"'\\x00\\xff\\n\"");
		assertThat(PythonRepr.value(null)).isEqualTo("None");
		assertThat(PythonRepr.value(true)).isEqualTo("True");
		assertThat(PythonRepr.value(false)).isEqualTo("False");
		assertThat(PythonRepr.value(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
		assertThat(PythonRepr.list(Arrays.asList("a", null, 1.0))).isEqualTo("['a', None, 1.0]");
	}

	@Test
	void quoteChoiceAndTheTopOfTheBasicPlane() {
		assertThat(PythonRepr.str("'start")).isEqualTo("\"'start\"");
		assertThat(PythonRepr.str("\"start")).isEqualTo("'\"start'");
		assertThat(PythonRepr.str("'\"")).isEqualTo("'\\'\"'");
		assertThat(PythonRepr.str("\"'")).isEqualTo("'\"\\''");
		assertThat(PythonRepr.str("\uffff")).isEqualTo("'\\uffff'");
		assertThat(PythonRepr.str("\ufffd")).isEqualTo("'\ufffd'");
	}

	/**
	 * Quotes and the edges of the escaping rules, as the CPython the tests run against
	 * prints them.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.sharedmemory.python.PythonInterpreters#all")
	void strAsCPythonPrintsIt(PythonInterpreter interpreter) {
		List<String> texts = List.of("", "'", "\"", "'start", "\"start", "end'", "'\"", "\"'", "a'b\"c", "it's \"so\"",
				"\\'", "'\\", "\uffff", "x\uffffy", "\ufffe", "\ufffd", "\ud7ff", "\ue000", "\u0085", "\u00a0",
				"\u00ff", "\u0100", "\u007e\u007f\u0080", "\ud83d\ude00'", "\udbff\udfff", "\ud800\udc00",
				"\ud83f\udffe", "\u061c", "\u200e", "\u3000");
		PythonScript run = PythonScript.run(interpreter, "repr_of.py", asciiJson(texts));
		assertThat(run.exitCode()).as("exit code, stderr: %s", run.stderr()).isZero();
		JsonArray reprs = JsonParser.parseString(run.stdout()).getAsJsonArray();
		assertThat(reprs).hasSize(texts.size());
		for (int i = 0; i < texts.size(); i++) {
			assertThat(PythonRepr.str(texts.get(i))).as("repr of %s", reprs.get(i))
				.isEqualTo(reprs.get(i).getAsString());
		}
	}

	/**
	 * JSON with every char outside printable ASCII escaped: a command line carries it
	 * whatever its encoding.
	 */
	private static String asciiJson(List<String> texts) {
		StringBuilder json = new StringBuilder("[");
		for (String text : texts) {
			json.append((json.length() > 1) ? ",\"" : "\"");
			text.chars()
				.forEach((ch) -> json.append((ch >= ' ' && ch < 0x7f && ch != '"' && ch != '\\')
						? String.valueOf((char) ch) : String.format("\\u%04x", ch)));
			json.append('"');
		}
		return json.append(']').toString();
	}

}
