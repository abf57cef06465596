package dev.sharedmemory.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;

import dev.sharedmemory.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Messages assembled from the pieces a non-blocking read gives: cut anywhere, several in
 * one read, longer than the buffer, refused as soon as their length is over the limit.
 */
class MessageFramesTests {

	private final MessageFrames frames = new MessageFrames();

	@Test
	void assemblesAMessageCutAnywhere() throws Exception {
		byte[] message = MessageFrames.frame("#WELCOME#".getBytes()).array();
		Chunks channel = new Chunks();
		for (byte b : message) {
			assertThat(this.frames.next(256)).isNull();
			channel.add(new byte[] { b });
			assertThat(this.frames.readFrom(channel)).isEqualTo(1);
		}
		assertThat(this.frames.next(256)).asString().isEqualTo("#WELCOME#");
		assertThat(this.frames.next(256)).isNull();
		assertThat(this.frames.buffered()).isZero();
		assertThat(this.frames.readFrom(channel)).isZero();
	}

	@Test
	void takesMessagesSentBackToBackFromOneRead() throws Exception {
		Chunks channel = new Chunks();
		channel.add(hex("00000001 61 00000002 6263 000000"));
		this.frames.readFrom(channel);
		assertThat(this.frames.next(256)).containsExactly('a');
		assertThat(this.frames.next(256)).containsExactly('b', 'c');
		assertThat(this.frames.next(256)).isNull();
		assertThat(this.frames.buffered()).isEqualTo(3);
		channel.add(hex("01 64"));
		this.frames.readFrom(channel);
		assertThat(this.frames.next(256)).containsExactly('d');
	}

	@Test
	void readsThe8ByteFormOfTheLengthInPieces() throws Exception {
		Chunks channel = new Chunks();
		channel.add(hex("ffffffff 0000"));
		this.frames.readFrom(channel);
		assertThat(this.frames.next(256)).isNull();
		channel.add(hex("000000000002 6263"));
		this.frames.readFrom(channel);
		assertThat(this.frames.next(256)).containsExactly('b', 'c');
	}

	@Test
	void growsForAMessageLongerThanItsBuffer() throws Exception {
		byte[] payload = new byte[10_000];
		Arrays.fill(payload, (byte) 7);
		byte[] message = MessageFrames.frame(payload).array();
		Chunks channel = new Chunks();
		for (int offset = 0; offset < message.length; offset += 1000) {
			channel.add(Arrays.copyOfRange(message, offset, Math.min(message.length, offset + 1000)));
		}
		byte[] received = null;
		while (received == null) {
			assertThat(this.frames.readFrom(channel)).isPositive();
			received = this.frames.next(64 * 1024);
		}
		assertThat(received).isEqualTo(payload);
	}

	@Test
	void refusesALengthOverTheLimitBeforeItsPayloadArrives() throws Exception {
		Chunks channel = new Chunks();
		channel.add(hex("00000101"));
		this.frames.readFrom(channel);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> this.frames.next(256))
			.withMessage("Message of 257 bytes is longer than the 256 bytes allowed");
		MessageFrames negative = new MessageFrames();
		channel.add(hex("fffffffe"));
		negative.readFrom(channel);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> negative.next(256))
			.withMessage("Message length -2 is negative");
		MessageFrames huge = new MessageFrames();
		channel.add(hex("ffffffff 8000000000000000"));
		huge.readFrom(channel);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> huge.next(256))
			.withMessage("Message length 9223372036854775808 is longer than the 256 bytes allowed");
	}

	@Test
	void reportsTheEndOfTheStream() throws Exception {
		Chunks channel = new Chunks();
		channel.add(hex("0000"));
		this.frames.readFrom(channel);
		channel.close();
		assertThat(this.frames.readFrom(channel)).isEqualTo(-1);
		assertThat(this.frames.buffered()).isEqualTo(2);
	}

	private static byte[] hex(String hex) {
		return HexFormat.of().parseHex(hex.replace(" ", ""));
	}

	/**
	 * A non-blocking channel that gives one queued piece per read (as much of it as
	 * fits), nothing when none is queued, and the end of the stream once closed.
	 */
	private static final class Chunks implements ReadableByteChannel {

		private final Deque<ByteBuffer> pieces = new ArrayDeque<>();

		private boolean open = true;

		void add(byte[] piece) {
			this.pieces.add(ByteBuffer.wrap(piece));
		}

		@Override
		public int read(ByteBuffer destination) {
			ByteBuffer piece = this.pieces.peek();
			if (piece == null) {
				return this.open ? 0 : -1;
			}
			int length = Math.min(piece.remaining(), destination.remaining());
			destination.put(destination.position(), piece, piece.position(), length);
			destination.position(destination.position() + length);
			piece.position(piece.position() + length);
			if (!piece.hasRemaining()) {
				this.pieces.remove();
			}
			return length;
		}

		@Override
		public boolean isOpen() {
			return this.open;
		}

		@Override
		public void close() {
			this.open = false;
		}

	}

}
