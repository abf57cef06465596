package dev.sharedmemory.protocol;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.protocol.Deadlines.Deadline;
import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.pickle.PickleEncoder;
import dev.sharedmemory.protocol.pickle.PickleTuple;
import dev.sharedmemory.protocol.wire.Handshake;
import dev.sharedmemory.protocol.wire.MessageStream;
import org.jspecify.annotations.Nullable;

/**
 * A JVM's client of a manager started by Python's
 * {@code SharedMemoryManager(address=..., authkey=...).start()} (or any server of this
 * protocol): it creates blocks and lists in {@code /dev/shm} that the manager tracks and
 * unlinks at its shutdown. It sends exactly what Python's client sends: one authenticated
 * connection per call, {@code dummy} on {@link #connect}, and for a new block
 * {@code track_segment} with its name; if tracking fails, the block is unlinked and the
 * error raised. Immutable and thread-safe.
 */
public final class ManagerClient {

	/** The default time one call may take, connection and handshake included. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

	private static final int MAX_REPLY_BYTES = 16 * 1024 * 1024;

	private final ManagerAddress address;

	private final Handshake handshake;

	private final Duration timeout;

	private final SharedMemoryDirectory directory = SharedMemoryDirectory.of(SharedMemoryDirectory.LINUX_SHM);

	private final PickleEncoder encoder = new PickleEncoder();

	private final PickleDecoder decoder = new PickleDecoder();

	private ManagerClient(ManagerAddress address, byte[] authkey, Duration timeout) {
		this.address = Objects.requireNonNull(address, "address must not be null");
		this.handshake = new Handshake(authkey);
		this.timeout = Objects.requireNonNull(timeout, "timeout must not be null");
	}

	/**
	 * Connects to a manager as Python's {@code connect()} does: authenticates and sends
	 * {@code dummy}.
	 * @param address the manager's address
	 * @param authkey its authkey
	 * @return the client
	 * @throws dev.sharedmemory.protocol.wire.AuthenticationException if the authkey is
	 * wrong
	 * @throws IOException if the manager cannot be reached or answers wrongly
	 */
	public static ManagerClient connect(ManagerAddress address, byte[] authkey) throws IOException {
		return connect(address, authkey, DEFAULT_TIMEOUT);
	}

	/**
	 * Connects to a manager, with a bound on each call.
	 * @param address the manager's address
	 * @param authkey its authkey
	 * @param timeout how long one call may take
	 * @return the client
	 * @throws IOException if the manager cannot be reached, refuses the key or answers
	 * wrongly
	 */
	public static ManagerClient connect(ManagerAddress address, byte[] authkey, Duration timeout) throws IOException {
		ManagerClient client = new ManagerClient(address, authkey, timeout);
		client.call("dummy");
		return client;
	}

	/**
	 * Creates a block under a new {@code psm_} name that the manager tracks, as
	 * {@code smm.SharedMemory(size)}.
	 * @param size its size in bytes
	 * @return the block; the caller closes it, the manager unlinks it
	 * @throws RemoteManagerException if the manager refuses to track it (the block is
	 * then unlinked)
	 * @throws IOException if the exchange fails (the block, if created, is then unlinked)
	 */
	public SharedMemory createSharedMemory(long size) throws IOException {
		try (Exchange exchange = open()) {
			SharedMemory block = this.directory.create(size);
			track(exchange, block);
			return block;
		}
	}

	/**
	 * Creates a list that the manager tracks, as {@code smm.ShareableList(sequence)}.
	 * @param items the items
	 * @return the list; the caller closes it, the manager unlinks it
	 * @throws RemoteManagerException if the manager refuses to track it (the block is
	 * then unlinked)
	 * @throws IOException if the exchange fails (the block, if created, is then unlinked)
	 */
	public ShareableList createShareableList(List<?> items) throws IOException {
		try (Exchange exchange = open()) {
			ShareableList list = ShareableList.create(this.directory, null, items);
			track(exchange, list.shm());
			return list;
		}
	}

	/**
	 * Returns the names of the blocks the manager tracks ({@code list_segments}).
	 * @return the names
	 * @throws IOException if the exchange fails or the manager refuses
	 */
	public List<String> listSegments() throws IOException {
		Object names = call("list_segments");
		List<String> result = new ArrayList<>();
		if (names instanceof List<?> list) {
			for (Object name : list) {
				result.add(String.valueOf(name));
			}
			return result;
		}
		throw new ProtocolException("list_segments returned " + names + ", not a list");
	}

	/**
	 * Sends one request on a connection of its own, as
	 * {@code multiprocessing.managers.dispatch} does.
	 * @param method the method
	 * @param args its positional arguments: None, bools, numbers, str, bytes, tuples,
	 * lists, dicts
	 * @return what the manager returned
	 * @throws RemoteManagerException if it answered {@code #TRACEBACK}
	 * @throws IOException if the exchange fails
	 */
	public @Nullable Object call(String method, @Nullable Object... args) throws IOException {
		try (Exchange exchange = open()) {
			return exchange.dispatch(method, args);
		}
	}

	private void track(Exchange exchange, SharedMemory block) throws IOException {
		try {
			exchange.dispatch("track_segment", block.name());
		}
		catch (IOException | RuntimeException ex) {
			try {
				block.unlink();
			}
			finally {
				block.close();
			}
			throw ex;
		}
	}

	private Exchange open() throws IOException {
		SocketChannel channel = (this.address instanceof ManagerAddress.Unix)
				? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
		Deadline deadline = Deadlines.start(channel, this.timeout);
		try {
			channel.connect(this.address.socketAddress());
			MessageStream stream = new MessageStream(Channels.newInputStream(channel),
					Channels.newOutputStream(channel));
			this.handshake.authenticateServer(stream);
			return new Exchange(channel, stream, deadline);
		}
		catch (IOException | RuntimeException ex) {
			deadline.cancel();
			channel.close();
			if (ex instanceof IOException io) {
				throw timedOutOr(deadline, io);
			}
			throw ex;
		}
	}

	/** A failure the deadline caused says so; any other is passed on as it is. */
	private IOException timedOutOr(Deadline deadline, IOException ex) {
		if (deadline.expired()) {
			return new IOException("The manager at " + this.address + " did not answer within " + this.timeout, ex);
		}
		return ex;
	}

	/**
	 * One authenticated connection.
	 */
	private final class Exchange implements AutoCloseable {

		private final SocketChannel channel;

		private final MessageStream stream;

		private final Deadline deadline;

		Exchange(SocketChannel channel, MessageStream stream, Deadline deadline) {
			this.channel = channel;
			this.stream = stream;
			this.deadline = deadline;
		}

		@Nullable Object dispatch(String method, @Nullable Object... args) throws IOException {
			Request request = new Request(method, Arrays.asList(args), Map.of());
			byte[] reply;
			try {
				this.stream.send(ManagerClient.this.encoder.encode(request.toTuple()));
				reply = this.stream.receive(MAX_REPLY_BYTES);
			}
			catch (IOException ex) {
				throw timedOutOr(this.deadline, ex);
			}
			Object decoded = ManagerClient.this.decoder.decode(reply);
			if (!(decoded instanceof PickleTuple tuple) || tuple.size() != 2 || !(tuple.get(0) instanceof String)) {
				throw new ProtocolException("The manager's reply to '" + method + "' is not a (kind, value) tuple");
			}
			if (Reply.RETURN.equals(tuple.get(0))) {
				return tuple.get(1);
			}
			if (Reply.TRACEBACK.equals(tuple.get(0))) {
				throw new RemoteManagerException(method, String.valueOf(tuple.get(1)));
			}
			throw new ProtocolException("The manager answered '" + method + "' with " + tuple.get(0));
		}

		@Override
		public void close() throws IOException {
			this.deadline.cancel();
			this.channel.close();
		}

	}

}
