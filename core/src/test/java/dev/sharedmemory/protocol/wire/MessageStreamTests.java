package dev.sharedmemory.protocol.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.util.HexFormat;

import dev.sharedmemory.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The length-prefixed framing of {@code multiprocessing.connection}, on plain streams.
 */
class MessageStreamTests {

	@Test
	void sendsA4ByteBigEndianLengthThenThePayload() throws Exception {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		new MessageStream(InputStream.nullInputStream(), out).send(new byte[] { 1, 2, 3 });
		assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo("00000003010203");
	}

	@Test
	void readsWhatItSendsAndThe8ByteFormOfTheLength() throws Exception {
		assertThat(stream("0000000161").receive(10)).containsExactly('a');
		assertThat(stream("ffffffff000000000000000262 63").receive(10)).containsExactly('b', 'c');
		assertThat(stream("00000000").receive(0)).isEmpty();
	}

	@Test
	void refusesALengthOverTheLimitBeforeReadingIt() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> stream("00000101").receive(256))
			.withMessage("Message of 257 bytes is longer than the 256 bytes allowed");
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> stream("ffffffff8000000000000000").receive(256))
			.withMessage("Message length 9223372036854775808 is longer than the 256 bytes allowed");
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> stream("ffffffff0000000100000000").receive(Integer.MAX_VALUE))
			.withMessage("Message of 4294967296 bytes is longer than the 2147483647 bytes allowed");
	}

	@Test
	void refusesANegativeLengthOtherThanMinusOne() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> stream("fffffffe").receive(256))
			.withMessage("Message length -2 is negative");
	}

	@Test
	void tellsAClosedConnectionFromATruncatedMessage() {
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> stream("").receive(256));
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> stream("0000").receive(256))
			.withMessage("The connection was closed within a message, after 2 of 4 bytes");
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> stream("0000000561").receive(256))
			.withMessage("The connection was closed within a message, after 1 of 5 bytes");
	}

	private static MessageStream stream(String hex) {
		return new MessageStream(new ByteArrayInputStream(HexFormat.of().parseHex(hex.replace(" ", ""))),
				new ByteArrayOutputStream());
	}

}
