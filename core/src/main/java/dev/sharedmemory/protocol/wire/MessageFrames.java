package dev.sharedmemory.protocol.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

import dev.sharedmemory.protocol.ProtocolException;
import org.jspecify.annotations.Nullable;

/**
 * The messages of {@link MessageStream}'s framing, assembled from what a non-blocking
 * channel gives each time it is read: a length or a payload cut across reads is kept
 * until the rest arrives, and what follows a message (a peer's next one, sent back to
 * back) waits for the next {@link #next(int)}. A message longer than the limit is refused
 * as soon as its length is known, before any of its payload is buffered. One per
 * connection; not thread-safe.
 */
public final class MessageFrames {

	static final int LENGTH_BYTES = 4;

	static final int LONG_LENGTH_BYTES = 8;

	static final int LONG_LENGTH_MARKER = -1;

	// A handshake message and CPython's requests here fit, with what follows them.
	private static final int INITIAL_CAPACITY = 512;

	/** What was read and not yet taken, from index 0 to the position. */
	private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_CAPACITY);

	/**
	 * Reads what the channel has, at most what fits in the buffer (which holds at least
	 * the rest of the message being assembled).
	 * @param channel a non-blocking channel
	 * @return the number of bytes read, {@code 0} if none was ready, {@code -1} at the
	 * end of the stream
	 * @throws IOException if reading fails
	 */
	public int readFrom(ReadableByteChannel channel) throws IOException {
		return channel.read(this.buffer);
	}

	/**
	 * Takes the next whole message.
	 * @param maxBytes the longest payload accepted
	 * @return the payload, or {@code null} until all of it has been read
	 * @throws ProtocolException if the length is invalid or over {@code maxBytes}
	 */
	public byte @Nullable [] next(int maxBytes) throws ProtocolException {
		int available = this.buffer.position();
		if (available < LENGTH_BYTES) {
			return null;
		}
		long length = this.buffer.getInt(0);
		int header = LENGTH_BYTES;
		if (length == LONG_LENGTH_MARKER) {
			if (available < LENGTH_BYTES + LONG_LENGTH_BYTES) {
				return null;
			}
			length = this.buffer.getLong(LENGTH_BYTES);
			header += LONG_LENGTH_BYTES;
		}
		int payloadLength = checkedLength(length, header > LENGTH_BYTES, maxBytes);
		int total = header + payloadLength;
		if (available < total) {
			if (this.buffer.capacity() < total) {
				this.buffer = ByteBuffer.allocate(total).put(this.buffer.flip());
			}
			return null;
		}
		byte[] payload = new byte[payloadLength];
		this.buffer.get(header, payload);
		this.buffer.flip().position(total);
		this.buffer.compact();
		return payload;
	}

	/**
	 * Tells whether a read can take more bytes: a read that filled the buffer may have
	 * left some in the connection.
	 * @return {@code true} unless the buffer is full
	 */
	public boolean hasRoom() {
		return this.buffer.hasRemaining();
	}

	/**
	 * Returns how many bytes were read and not taken as a message yet.
	 * @return the count
	 */
	public int buffered() {
		return this.buffer.position();
	}

	/**
	 * Frames a payload: its 4-byte big-endian length, then the payload, in one buffer to
	 * write at once (as CPython does for small messages: Nagle's algorithm would
	 * otherwise hold the payload back).
	 * @param payload the payload
	 * @return the message, ready to be written
	 */
	public static ByteBuffer frame(byte[] payload) {
		// A Java array is never over 2 GiB - 1 bytes: the 4-byte length always suffices.
		return ByteBuffer.allocate(LENGTH_BYTES + payload.length).putInt(payload.length).put(payload).flip();
	}

	/**
	 * Checks a length read from a prefix.
	 * @param length the 4-byte length as a signed int, or the 8-byte one as unsigned
	 * @param longForm whether it is the 8-byte length
	 * @param maxBytes the longest payload accepted
	 * @return the length
	 * @throws ProtocolException if the length is negative or over the limit
	 */
	static int checkedLength(long length, boolean longForm, int maxBytes) throws ProtocolException {
		if (longForm && length < 0) {
			throw new ProtocolException("Message length " + Long.toUnsignedString(length) + " is longer than the "
					+ maxBytes + " bytes allowed");
		}
		if (length < 0) {
			throw new ProtocolException("Message length " + length + " is negative");
		}
		if (length > maxBytes) {
			throw new ProtocolException(
					"Message of " + length + " bytes is longer than the " + maxBytes + " bytes allowed");
		}
		return (int) length;
	}

}
