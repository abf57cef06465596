package dev.sharedmemory.protocol.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

import dev.sharedmemory.protocol.ProtocolException;

/**
 * Length-prefixed messages as {@code multiprocessing.connection.Connection} sends them on
 * a socket: a 4-byte big-endian signed length, then the payload; a length of {@code -1}
 * is followed by an 8-byte unsigned length for payloads over 2 GiB. A receiver names its
 * limit, and a longer message is refused before any of it is read.
 */
public final class MessageStream {

	/**
	 * The longest message either side of the handshake reads, as CPython's
	 * {@code recv_bytes(256)}.
	 */
	public static final int MAX_HANDSHAKE_BYTES = 256;

	private static final int LENGTH_BYTES = 4;

	private static final int LONG_LENGTH_BYTES = 8;

	private static final int LONG_LENGTH_MARKER = -1;

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
		byte[] prefix = readFully(LENGTH_BYTES, true);
		long length = ((prefix[0] & 0xffL) << 24) | ((prefix[1] & 0xff) << 16) | ((prefix[2] & 0xff) << 8)
				| (prefix[3] & 0xff);
		length = (int) length;
		if (length == LONG_LENGTH_MARKER) {
			byte[] longPrefix = readFully(LONG_LENGTH_BYTES, false);
			length = 0;
			for (byte b : longPrefix) {
				length = (length << 8) | (b & 0xff);
			}
			if (length < 0) {
				throw new ProtocolException("Message length " + Long.toUnsignedString(length) + " is longer than the "
						+ maxBytes + " bytes allowed");
			}
		}
		else if (length < 0) {
			throw new ProtocolException("Message length " + length + " is negative");
		}
		if (length > maxBytes) {
			throw new ProtocolException(
					"Message of " + length + " bytes is longer than the " + maxBytes + " bytes allowed");
		}
		return readFully((int) length, false);
	}

	/**
	 * Writes one message and flushes it; the prefix and the payload go out in one write,
	 * as CPython does for small messages (Nagle's algorithm would otherwise delay the
	 * payload).
	 * @param payload the payload
	 * @throws IOException if writing fails
	 */
	public void send(byte[] payload) throws IOException {
		// A Java array is never over 2 GiB - 1 bytes: the 4-byte length always suffices.
		byte[] message = new byte[LENGTH_BYTES + payload.length];
		int length = payload.length;
		message[0] = (byte) (length >>> 24);
		message[1] = (byte) (length >>> 16);
		message[2] = (byte) (length >>> 8);
		message[3] = (byte) length;
		System.arraycopy(payload, 0, message, LENGTH_BYTES, length);
		this.output.write(message);
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
