package dev.sharedmemory.protocol;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a manager listens, as Python names it: a {@code (host, port)} tuple is TCP, a
 * {@code str} path is a Unix socket.
 */
public sealed interface ManagerAddress {

	/** The host a server listens on when none is given: the loopback interface only. */
	String DEFAULT_HOST = "127.0.0.1";

	/**
	 * Parses {@code host:port}, {@code [v6-host]:port}, {@code :port} (on
	 * {@value #DEFAULT_HOST}) or a socket path (any text with a {@code /}).
	 * @param text the address
	 * @return the address
	 * @throws IllegalArgumentException if it is neither
	 */
	static ManagerAddress parse(String text) {
		Objects.requireNonNull(text, "address must not be null");
		if (text.indexOf('/') >= 0) {
			return new Unix(Path.of(text));
		}
		int colon = text.lastIndexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException("Manager address '" + text + "' is neither host:port nor a socket path");
		}
		String host = text.substring(0, colon);
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		try {
			return new Tcp(host.isEmpty() ? DEFAULT_HOST : host, Integer.parseInt(text.substring(colon + 1)));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Manager address '" + text + "' has no valid port");
		}
	}

	/**
	 * Returns the socket address to bind or connect to.
	 * @return the socket address
	 */
	SocketAddress socketAddress();

	/**
	 * A TCP address: Python's {@code (host, port)}.
	 *
	 * @param host the host name or address
	 * @param port the port, 0 for any free one when listening
	 */
	record Tcp(String host, int port) implements ManagerAddress {

		/**
		 * Checks the address.
		 * @param host the host
		 * @param port the port
		 */
		public Tcp {
			Objects.requireNonNull(host, "host must not be null");
			if (port < 0 || port > 0xffff) {
				throw new IllegalArgumentException("Port " + port + " is not between 0 and 65535");
			}
		}

		@Override
		public SocketAddress socketAddress() {
			return new InetSocketAddress(this.host, this.port);
		}

		@Override
		public String toString() {
			return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
		}

	}

	/**
	 * A Unix socket: Python's {@code str} address.
	 *
	 * @param path the socket file
	 */
	record Unix(Path path) implements ManagerAddress {

		/**
		 * Checks the address.
		 * @param path the path
		 */
		public Unix {
			Objects.requireNonNull(path, "path must not be null");
		}

		@Override
		public SocketAddress socketAddress() {
			return UnixDomainSocketAddress.of(this.path);
		}

		@Override
		public String toString() {
			return this.path.toString();
		}

	}

}
