package dev.sharedmemory.list;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
	@CsvSource({ "8s,8", "16s,16", "0s,0", "9999999s,9999999", "0008s,8" })
	void stringFormatsAreRead(String format, int size) {
		long packed = ShareableListLayout.stringFormat(size);
		assertThat(ShareableListLayout.stringFormatSize(pack(format))).isEqualTo(size);
		assertThat(ShareableListLayout.stringFormatSize(packed)).isEqualTo(size);
		assertThat(ShareableListLayout.formatText(packed)).isEqualTo(size + "s");
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
	}

	@ParameterizedTest
	@CsvSource({ "aéééééé,8,aééé", "ééééééé,8,éééé", "日本語,8,日本", "abcdef😀,8,abcdef", "abcdef😀,9,abcdef",
			"abcdef😀,10,abcdef😀", "plain,5,plain" })
	void incompleteLastCharacterIsDropped(String text, int kept, String expected) {
		byte[] utf8 = Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), kept);
		int length = ItemCodec.completeUtf8Length(utf8, kept);
		assertThat(new String(utf8, 0, length, StandardCharsets.UTF_8)).isEqualTo(expected);
	}

	@Test
	void malformedBytesAreLeftToTheDecoder() {
		byte[] continuations = { 'a', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(continuations, continuations.length)).isEqualTo(5);
		byte[] invalidLead = { 'a', (byte) 0xF8, (byte) 0x80 };
		assertThat(ItemCodec.completeUtf8Length(invalidLead, invalidLead.length)).isEqualTo(3);
		assertThat(ItemCodec.completeUtf8Length(new byte[0], 0)).isZero();
	}

	private static long pack(String format) {
		byte[] bytes = Arrays.copyOf(format.getBytes(StandardCharsets.ISO_8859_1), 8);
		return java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder()).getLong();
	}

}
