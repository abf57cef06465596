package dev.sharedmemory.list;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ShareableListLayout}.
 */
class ShareableListLayoutTests {

	@Test
	void sizesAreCPythons() {
		assertThat(ShareableListLayout.blockSize(0, 0)).isEqualTo(16);
		// ['howdy', b'HoWdY', -273.154, 100, None, True, 42]: seven slots of 8 bytes.
		assertThat(ShareableListLayout.blockSize(7, 56)).isEqualTo(191);
		assertThat(ShareableListLayout.slotSize(0)).isEqualTo(8);
		assertThat(ShareableListLayout.slotSize(7)).isEqualTo(8);
		assertThat(ShareableListLayout.slotSize(8)).isEqualTo(16);
		assertThat(ShareableListLayout.slotSize(ShareableListLayout.MAX_VALUE_LENGTH))
			.isEqualTo(ShareableListLayout.MAX_SLOT_SIZE - 7);
		assertThat(ShareableListLayout.slotSize(ShareableListLayout.MAX_VALUE_LENGTH + 1))
			.isGreaterThan(ShareableListLayout.MAX_SLOT_SIZE);
	}

	@ParameterizedTest
	@CsvSource({ "8s,8", "16s,16", "0s,0", "9999999s,9999999", "0008s,8", "1000s,1000", "10s,10", "100000s,100000" })
	void stringFormatsAreRead(String format, int size) {
		long packed = ShareableListLayout.stringFormat(size);
		assertThat(ShareableListLayout.stringFormatSize(pack(format))).isEqualTo(size);
		assertThat(ShareableListLayout.stringFormatSize(packed)).isEqualTo(size);
		assertThat(ShareableListLayout.formatText(packed)).isEqualTo(size + "s");
	}

	@ParameterizedTest
	@ValueSource(ints = { 8, 16, 24, 1016, 1024, 1032, 4096, 999_992 })
	void slotFormatsAreReadAgainstTheirSlot(int slotSize) {
		long packed = ShareableListLayout.stringFormat(slotSize);
		assertThat(ShareableListLayout.formatText(packed)).isEqualTo(slotSize + "s");
		assertThat(ShareableListLayout.stringFormatSize(packed, slotSize)).isEqualTo(slotSize);
		assertThat(ShareableListLayout.stringFormatSize(pack("8s"), slotSize)).isEqualTo(8);
		assertThat(ShareableListLayout.stringFormatSize(pack("0" + slotSize + "s"), slotSize)).isEqualTo(slotSize);
		assertThat(ShareableListLayout.stringFormatSize(ShareableListLayout.FORMAT_INT, slotSize)).isEqualTo(-1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "q", "d", "xxxxxxx?", "xxxxxx?x", "s", "8", "8x", "8s8", "8s\u0000x", " 8s", "-8s",
			"12345678", "" })
	void otherFormatsAreNoStringFormats(String format) {
		assertThat(ShareableListLayout.stringFormatSize(pack(format))).isEqualTo(-1);
	}

	@Test
	void fixedFormatsReadAsTheirText() {
		assertThat(ShareableListLayout.formatText(ShareableListLayout.FORMAT_INT)).isEqualTo("q");
		assertThat(ShareableListLayout.formatText(ShareableListLayout.FORMAT_FLOAT)).isEqualTo("d");
		assertThat(ShareableListLayout.formatText(ShareableListLayout.FORMAT_BOOL)).isEqualTo("xxxxxxx?");
		assertThat(ShareableListLayout.formatText(ShareableListLayout.FORMAT_NONE)).isEqualTo("xxxxxx?x");
		assertThat(ShareableListLayout.describeFormat(pack("a\u0001'\u00ff"))).isEqualTo("'a\\x01\\x27\\xff'");
		assertThat(ShareableListLayout.describeFormat(pack(" ~\u007f\u001f"))).isEqualTo("' ~\\x7f\\x1f'");
	}

	// The code points where UTF-8 takes one byte more, with CPython's
	// len(chr(cp).encode()): a str sized short gets a slot too small for its bytes.
	@ParameterizedTest
	@CsvSource({ "7F,1", "80,2", "7FF,2", "800,3", "FFFF,3", "10000,4", "10FFFF,4" })
	void strLengthIsItsUtf8LengthOnEachSideOfEveryBoundary(String codePoint, int utf8Length) {
		String character = Character.toString(Integer.parseInt(codePoint, 16));
		assertThat(ItemCodec.encodedLength(0, character)).isEqualTo(utf8Length);
		assertThat(ItemCodec.encodedLength(0, "a" + character + character)).isEqualTo(1 + 2 * utf8Length);
	}

	@ParameterizedTest
	@CsvSource({ "aéééééé,8,aééé", "ééééééé,8,éééé", "日本語,8,日本", "abcdef😀,8,abcdef", "abcdef😀,9,abcdef",
			"abcdef😀,10,abcdef😀", "plain,5,plain" })
	void incompleteLastCharacterIsDropped(String text, int kept, String expected) {
		byte[] utf8 = Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), kept);
		int length = ItemCodec.completeUtf8Length(utf8, kept);
		assertThat(new String(utf8, 0, length, StandardCharsets.UTF_8)).isEqualTo(expected);
	}

	/**
	 * Slots CPython 3.13 wrote for {@code ShareableList([text])} (it sizes a str slot by
	 * characters, gh-88336), and what
	 * {@code slot.rstrip(b'\0').decode('utf-8', 'ignore')} keeps of them: cuts after the
	 * lead bytes 0xC2 (£), 0xE0 (Devanagari) and 0xF4 (U+10FFFF), with one to three bytes
	 * of the character kept, and slots cut on a boundary.
	 */
	@ParameterizedTest
	@CsvSource({ "61c2a3c2a3c2a3c2,a£££", "c2a3c2a3c2a3c2a3,££££", "61e0a495e0a495e0,aकक", "e0a495e0a495e0a4,कक",
			"61f48fbfbff48fbf,a\uDBFF\uDFFF", "6162f48fbfbff48fbfbff48fbfbff48f,ab\uDBFF\uDFFF\uDBFF\uDFFF\uDBFF\uDFFF",
			"616263f48fbfbff48fbfbff48fbfbff4,abc\uDBFF\uDFFF\uDBFF\uDFFF\uDBFF\uDFFF",
			"f48fbfbff48fbfbf,\uDBFF\uDFFF\uDBFF\uDFFF" })
	void textCPythonCutIsReadAsCPythonKeepsIt(String slotHex, String kept) {
		byte[] slot = HexFormat.of().parseHex(slotHex);
		ByteBuffer buffer = ByteBuffer.wrap(slot).order(ByteOrder.nativeOrder());
		assertThat(ItemCodec.readString(buffer, 0, slot.length)).isEqualTo(kept);
	}

	/**
	 * A character cut at the very start of the bytes, at each edge of the lead-byte
	 * ranges.
	 */
	@ParameterizedTest
	@CsvSource({ "c2,0", "c3a9c3,2", "df,0", "e0a4,0", "e0,0", "efbf,0", "f09f98,0", "f0,0", "f48fbf,0", "f48f,0",
			"61f0,1", "c2a3,2", "efbfbf,3", "f48fbfbf,4" })
	void cutAtTheStart(String hex, int complete) {
		byte[] utf8 = java.util.HexFormat.of().parseHex(hex);
		assertThat(ItemCodec.completeUtf8Length(utf8, utf8.length)).isEqualTo(complete);
	}

	@Test
	void malformedBytesAreLeftToTheDecoder() {
		byte[] continuations = { 'a', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(continuations, continuations.length)).isEqualTo(5);
		byte[] invalidLead = { 'a', (byte) 0xF8, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(invalidLead, invalidLead.length)).isEqualTo(3);
		assertThat(ItemCodec.completeUtf8Length(new byte[0], 0)).isZero();
		// Nothing but continuation bytes: no lead byte to judge by, so all of them go to
		// the decoder.
		byte[] onlyContinuations = { (byte) 0x80, (byte) 0xBF, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(onlyContinuations, 3)).isEqualTo(3);
		byte[] invalidLeads = { 'a', (byte) 0xC1, (byte) 0xBF, (byte) 0xF5, (byte) 0x80, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(invalidLeads, 6)).isEqualTo(6);
	}

	private static long pack(String format) {
		byte[] bytes = Arrays.copyOf(format.getBytes(StandardCharsets.ISO_8859_1), 8);
		return java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).getLong();
	}

}
