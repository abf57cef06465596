package dev.sharedmemory.protocol.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

import dev.sharedmemory.protocol.ProtocolException;

/**
 * Length-prefixed messages as {@code multiprocessing.connection.Connection} sends them on
 * a socket: a 4-byte big-endian signed length, then the payload; a length of {@code -1}
 * is followed by an 8-byte unsigned length for payloads over 2 GiB. A receiver names its
 * limit, and a longer message is refused before any of it is read. Blocking; a
 * non-blocking reader assembles the same messages with {@link MessageFrames}.
 */
public final class MessageStream {

	/**
	 * The longest message either side of the handshake reads, as CPython's
	 * {@code recv_bytes(256)}.
	 */
	public static final int MAX_HANDSHAKE_BYTES = 256;

	private final InputStream input;

	private final OutputStream output;

	/**
	 * Creates a message stream over a connection's two directions.
	 * @param input where messages come from
	 * @param output where messages go
	 */
	public MessageStream(InputStream input, OutputStream output) {
		this.input = Objects.requireNonNull(input, "input must not be null");
		this.output = Objects.requireNonNull(output, "output must not be null");
	}

	/**
	 * Reads one message.
	 * @param maxBytes the longest payload accepted
	 * @return the payload
	 * @throws EOFException if the stream ends before the first byte of the length
	 * @throws ProtocolException if the length is invalid or over {@code maxBytes}, or the
	 * stream ends within the message
	 * @throws IOException if reading fails
	 */
	public byte[] receive(int maxBytes) throws IOException {
		ByteBuffer prefix = ByteBuffer.wrap(readFully(MessageFrames.LENGTH_BYTES, true));
		long length = prefix.getInt();
		boolean longForm = length == MessageFrames.LONG_LENGTH_MARKER;
		if (longForm) {
			length = ByteBuffer.wrap(readFully(MessageFrames.LONG_LENGTH_BYTES, false)).getLong();
		}
		return readFully(MessageFrames.checkedLength(length, longForm, maxBytes), false);
	}

	/**
	 * Writes one message and flushes it; the prefix and the payload go out in one write
	 * ({@link MessageFrames#frame(byte[])}).
	 * @param payload the payload
	 * @throws IOException if writing fails
	 */
	public void send(byte[] payload) throws IOException {
		this.output.write(MessageFrames.frame(payload).array());
		this.output.flush();
	}

	private byte[] readFully(int length, boolean atStart) throws IOException {
		byte[] bytes = new byte[length];
		int read = 0;
		while (read < length) {
			int n = this.input.read(bytes, read, length - read);
			if (n < 0) {
				if (atStart && read == 0) {
					throw new EOFException("The connection was closed before a message");
				}
				throw new ProtocolException(
						"The connection was closed within a message, after " + read + " of " + length + " bytes");
			}
			read += n;
		}
		return bytes;
	}

}
