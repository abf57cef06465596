package dev.sharedmemory.protocol;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.sharedmemory.protocol.wire.AuthenticationException;
import dev.sharedmemory.protocol.wire.Handshake;
import dev.sharedmemory.protocol.wire.MessageFrames;
import dev.sharedmemory.protocol.wire.MessageStream;
import dev.sharedmemory.protocol.wire.ThreadHandshake;
import org.jspecify.annotations.Nullable;

/**
 * One connection's exchange with a CPython client, as the steps of a state machine that a
 * {@link ServerLoop} drives whenever the connection can be read or written, without ever
 * blocking on it: the server's challenge, the client's answer checked, the verdict, the
 * client's challenge answered, its verdict, one request, the reply, the close. A step
 * waits for a whole message however the peer splits it, and takes one the peer sent back
 * to back with the previous one without reading again.
 * <p>
 * Each connection ends counted once, by one {@link ConnectionOutcome}, before it is
 * closed: whoever sees it closed sees it counted.
 */
final class ServerExchange {

	private static final System.Logger logger = System.getLogger(ManagerServer.class.getName());

	/** What the next message from the client is. */
	private enum Expecting {

		/** The answer to the server's challenge. */
		ANSWER,

		/** The client's challenge. */
		CHALLENGE,

		/** The client's verdict on the server's answer. */
		VERDICT,

		/** The request, once authenticated. */
		REQUEST,

		/** Nothing: the reply or the refusal is written, then the connection closed. */
		NOTHING

	}

	private final SocketChannel channel;

	private final Serving serving;

	private final ThreadHandshake handshake;

	private final long dueNanos;

	private final MessageFrames frames = new MessageFrames();

	private final byte[] challenge;

	private Expecting expecting = Expecting.ANSWER;

	/** A message written in part: the peer's window is full. */
	private @Nullable ByteBuffer pending;

	private boolean quickAckAfterWrite;

	private int sent;

	private boolean counted;

	private boolean closed;

	private @Nullable Peer peer;

	private @Nullable SelectionKey key;

	/**
	 * Starts an exchange; {@link #start} sends the challenge.
	 * @param channel the connection
	 * @param serving what the server's exchanges share
	 * @param handshake the handshake steps of the loop that serves this exchange
	 * @param nowNanos {@link System#nanoTime()}
	 */
	ServerExchange(SocketChannel channel, Serving serving, ThreadHandshake handshake, long nowNanos) {
		this.channel = channel;
		this.serving = serving;
		this.handshake = handshake;
		this.dueNanos = nowNanos + serving.timeoutNanos();
		this.challenge = handshake.newChallenge();
	}

	/**
	 * Sends the server's challenge; the rest follows as the peer answers.
	 * @param key the connection's key, interested in reading
	 */
	void start(SelectionKey key) {
		this.key = key;
		step(() -> send(this.challenge));
	}

	/**
	 * Reads or writes what the connection is ready for, and takes every step that can be
	 * taken.
	 */
	void ready() {
		step(this::advance);
	}

	/**
	 * Tells whether the exchange's time is up.
	 * @param nowNanos {@link System#nanoTime()}
	 * @return {@code true} when the timeout has passed since the connection was accepted
	 */
	boolean isDue(long nowNanos) {
		return nowNanos - this.dueNanos >= 0;
	}

	/**
	 * Returns when the exchange's time is up.
	 * @return the {@link System#nanoTime()} of its deadline
	 */
	long dueNanos() {
		return this.dueNanos;
	}

	/**
	 * Cuts off a peer whose exchange took longer than the timeout.
	 */
	void expire() {
		if (!this.counted) {
			logger.log(Level.WARNING, "Shared memory manager server cut off {0}: no {1} within {2}", peer(),
					(this.expecting == Expecting.REQUEST) ? "request" : "authentication",
					this.serving.settings().timeout());
			count(ConnectionOutcome.TIMED_OUT);
		}
		close();
	}

	/**
	 * Closes the connection; the exchange is over.
	 */
	void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing is the last thing done with it.
		}
		this.serving.closed();
	}

	boolean isClosed() {
		return this.closed;
	}

	private void step(Step step) {
		try {
			step.take();
		}
		catch (IOException ex) {
			failed(ex);
		}
		catch (RuntimeException ex) {
			logger.log(Level.ERROR, "Shared memory manager server failed to serve " + peer(), ex);
			if (!this.counted) {
				count(ConnectionOutcome.BAD_REQUEST);
			}
			close();
		}
	}

	/**
	 * Writes what is pending, then takes every message already read and reads for more,
	 * until the peer has sent nothing more or the exchange is over. It does not read
	 * right after the server has sent something: the peer has yet to receive it, and the
	 * read would find nothing (a system call for nothing on every step).
	 */
	private void advance() throws IOException {
		if (this.pending != null && !flush()) {
			return;
		}
		boolean mayHaveMore = true;
		while (!this.closed) {
			byte[] message = this.frames.next(limit());
			if (message != null) {
				int sentBefore = this.sent;
				receive(message);
				if (this.pending != null) {
					return;
				}
				mayHaveMore &= this.sent == sentBefore;
				continue;
			}
			if (!mayHaveMore) {
				return;
			}
			int read = this.frames.readFrom(this.channel);
			if (read < 0) {
				endOfStream();
				return;
			}
			// A read that did not fill the buffer took all there was.
			mayHaveMore = !this.frames.hasRoom();
			if (read == 0) {
				return;
			}
		}
	}

	private void receive(byte[] message) throws IOException {
		switch (this.expecting) {
			case ANSWER -> {
				try {
					this.handshake.verifyAnswer(this.challenge, message);
				}
				catch (AuthenticationException ex) {
					refuseConnection(ex.getMessage());
					this.expecting = Expecting.NOTHING;
					send(Handshake.verdict(false));
					return;
				}
				this.expecting = Expecting.CHALLENGE;
				send(Handshake.verdict(true));
			}
			case CHALLENGE -> {
				this.expecting = Expecting.VERDICT;
				// CPython's client writes its #WELCOME# and its request back to back, the
				// request held by Nagle's algorithm until the welcome is acknowledged:
				// acknowledged at once rather than up to 40 ms later.
				this.quickAckAfterWrite = this.serving.quickAck();
				send(this.handshake.answerTo(message));
			}
			case VERDICT -> {
				Handshake.checkVerdict(message);
				this.expecting = Expecting.REQUEST;
			}
			case REQUEST -> answer(message);
			case NOTHING -> {
				// Bytes after the request: the reply is on its way, the connection
				// closes.
			}
		}
	}

	private void answer(byte[] message) throws IOException {
		this.expecting = Expecting.NOTHING;
		Request request;
		try {
			request = Request.of(this.serving.decoder().decode(message));
		}
		catch (ProtocolException ex) {
			refuseRequest(ex.getMessage());
			return;
		}
		count(ConnectionOutcome.ACCEPTED);
		Reply reply = this.serving.service().handle(request, peer());
		this.serving.counters()
			.request(request.method(), reply.isReturn() ? RequestOutcome.RETURNED : RequestOutcome.TRACEBACK);
		send(this.serving.encoder().encode(reply.toTuple()));
	}

	private void refuseRequest(String reason) throws IOException {
		logger.log(Level.WARNING, "Shared memory manager server refused a request from {0}: {1}", peer(), reason);
		count(ConnectionOutcome.BAD_REQUEST);
		this.expecting = Expecting.NOTHING;
		send(this.serving.encoder().encode(Reply.traceback("ValueError", reason).toTuple()));
	}

	private void refuseConnection(String reason) {
		logger.log(Level.WARNING, "Shared memory manager server refused a connection from {0}: {1}", peer(), reason);
		count(ConnectionOutcome.AUTHENTICATION_FAILED);
	}

	/**
	 * Writes a message; the connection closes once the last one (a verdict of failure, a
	 * reply) is written.
	 */
	private void send(byte[] payload) throws IOException {
		this.sent++;
		this.pending = MessageFrames.frame(payload);
		flush();
	}

	/**
	 * Writes what is pending.
	 * @return {@code true} if all of it was written and the exchange goes on
	 */
	private boolean flush() throws IOException {
		ByteBuffer buffer = this.pending;
		this.channel.write(buffer);
		if (buffer.hasRemaining()) {
			interestedIn(SelectionKey.OP_WRITE);
			return false;
		}
		if (this.key != null && (this.key.interestOps() & SelectionKey.OP_WRITE) != 0) {
			interestedIn(SelectionKey.OP_READ);
		}
		this.pending = null;
		if (this.quickAckAfterWrite) {
			this.quickAckAfterWrite = false;
			this.serving.quickAck(this.channel);
		}
		if (this.expecting == Expecting.NOTHING) {
			close();
			return false;
		}
		return true;
	}

	private void interestedIn(int operations) {
		if (this.key != null) {
			this.key.interestOps(operations);
		}
	}

	private void endOfStream() throws IOException {
		if (this.counted) {
			close();
			return;
		}
		String reason = (this.frames.buffered() == 0) ? "the connection was closed before a message"
				: "the connection was closed within a message, after " + this.frames.buffered() + " bytes";
		if (this.expecting == Expecting.REQUEST && this.frames.buffered() == 0) {
			logger.log(Level.WARNING, "Shared memory manager server: {0} authenticated, then sent no request", peer());
			count(ConnectionOutcome.BAD_REQUEST);
		}
		else if (this.expecting == Expecting.REQUEST) {
			logger.log(Level.WARNING, "Shared memory manager server refused a request from {0}: {1}", peer(), reason);
			count(ConnectionOutcome.BAD_REQUEST);
		}
		else {
			refuseConnection(reason);
		}
		close();
	}

	/**
	 * A message over its limit, a broken handshake, or the connection failing.
	 */
	private void failed(IOException ex) {
		if (this.counted) {
			// The request was answered or refused, and counted: the peer left before the
			// reply.
			logger.log(Level.DEBUG, "Shared memory manager server could not reply to {0}: {1}", peer(), ex);
		}
		else if (this.expecting != Expecting.REQUEST) {
			refuseConnection((ex instanceof ProtocolException) ? ex.getMessage() : ex.toString());
		}
		else if (ex instanceof ProtocolException) {
			try {
				refuseRequest(ex.getMessage());
				return;
			}
			catch (IOException replyFailed) {
				logger.log(Level.DEBUG, "Shared memory manager server could not reply to {0}: {1}", peer(),
						replyFailed);
			}
		}
		else {
			logger.log(Level.WARNING, "Shared memory manager server: {0} authenticated, then failed: {1}", peer(),
					ex.toString());
			count(ConnectionOutcome.BAD_REQUEST);
		}
		close();
	}

	private int limit() {
		return (this.expecting == Expecting.REQUEST) ? this.serving.settings().maxRequestBytes()
				: MessageStream.MAX_HANDSHAKE_BYTES;
	}

	private void count(ConnectionOutcome outcome) {
		this.counted = true;
		this.serving.counters().connection(outcome);
	}

	private Peer peer() {
		if (this.peer == null) {
			this.peer = this.serving.peer(this.channel);
		}
		return this.peer;
	}

	/** A step that may fail on the connection. */
	@FunctionalInterface
	private interface Step {

		void take() throws IOException;

	}

}
