package dev.sharedmemory.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.pickle.PickleEncoder;
import dev.sharedmemory.protocol.wire.Handshake;
import jdk.net.ExtendedSocketOptions;

/**
 * What every {@link ServerExchange} of one listening {@link ManagerServer} shares: its
 * settings, the handshake, the codec, the service, the counters, and the count of
 * connections open against {@link ManagerServerSettings#maxConnections()}.
 */
final class Serving {

	private final ManagerServerSettings settings;

	private final Handshake handshake;

	private final PickleDecoder decoder = new PickleDecoder();

	private final PickleEncoder encoder = new PickleEncoder();

	private final ManagerService service;

	private final ServerCounters counters;

	private final ManagerAddress address;

	private final boolean quickAck;

	private final long timeoutNanos;

	private final AtomicInteger open = new AtomicInteger();

	Serving(ManagerServerSettings settings, Handshake handshake, ManagerService service, ServerCounters counters,
			ManagerAddress address) {
		this.settings = settings;
		this.handshake = handshake;
		this.service = service;
		this.counters = counters;
		this.address = address;
		this.quickAck = quickAckSupported(address);
		this.timeoutNanos = settings.timeout().toNanos();
	}

	ManagerServerSettings settings() {
		return this.settings;
	}

	/**
	 * Returns how long one connection's exchange may take.
	 * @return {@link ManagerServerSettings#timeout()} in nanoseconds
	 */
	long timeoutNanos() {
		return this.timeoutNanos;
	}

	Handshake handshake() {
		return this.handshake;
	}

	PickleDecoder decoder() {
		return this.decoder;
	}

	PickleEncoder encoder() {
		return this.encoder;
	}

	ManagerService service() {
		return this.service;
	}

	ServerCounters counters() {
		return this.counters;
	}

	/**
	 * Counts a connection in, unless as many as allowed are open.
	 * @return {@code true} if it may be served
	 */
	boolean tryOpen() {
		while (true) {
			int now = this.open.get();
			if (now >= this.settings.maxConnections()) {
				return false;
			}
			if (this.open.compareAndSet(now, now + 1)) {
				return true;
			}
		}
	}

	/**
	 * Counts a connection out.
	 */
	void closed() {
		this.open.decrementAndGet();
	}

	/**
	 * Returns how many connections are open.
	 * @return the count
	 */
	int open() {
		return this.open.get();
	}

	/**
	 * Tells whether the connections take {@code TCP_QUICKACK}: on Linux, over TCP.
	 * @return {@code true} if they do
	 */
	boolean quickAck() {
		return this.quickAck;
	}

	/**
	 * Acknowledges at once what the peer sends next: {@code TCP_QUICKACK} is not
	 * permanent, the kernel leaves quick acknowledgements as soon as the connection looks
	 * interactive.
	 * @param channel the connection
	 */
	void quickAck(SocketChannel channel) {
		try {
			channel.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
		}
		catch (IOException | RuntimeException ex) {
			// An optimisation: the exchange goes on without it.
		}
	}

	/**
	 * Tells who is on the other end of a connection.
	 * @param channel the connection
	 * @return its address, and the user for a Unix socket
	 */
	Peer peer(SocketChannel channel) {
		try {
			if (this.address instanceof ManagerAddress.Unix unix) {
				String user = channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
				return new Peer(unix.path().toString(), user);
			}
			InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
			return new Peer(remote.getAddress().getHostAddress() + ":" + remote.getPort(), null);
		}
		catch (IOException | RuntimeException ex) {
			return new Peer(this.address + " (peer unknown)", null);
		}
	}

	private static boolean quickAckSupported(ManagerAddress address) {
		if (address instanceof ManagerAddress.Unix) {
			return false;
		}
		try (SocketChannel probe = SocketChannel.open()) {
			return probe.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
		}
		catch (IOException ex) {
			return false;
		}
	}

}
