package dev.sharedmemory.protocol;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ManagerServer} listens and what it tolerates. Start from
 * {@link #of(ManagerAddress, byte[])} and change what differs with the {@code with...}
 * methods. The authkey never appears in {@link #toString()}.
 *
 * @param address where to listen
 * @param authkey the shared secret clients must prove they hold, not empty
 * @param allowRemoteShutdown whether a client's {@code shutdown} may release every block
 * and stop the server
 * @param timeout how long one connection's whole exchange (handshake, request, reply) may
 * take; a connection is closed as soon as its time is up
 * @param maxRequestBytes the longest request read; CPython's requests here are under 200
 * bytes
 * @param threads how many threads serve the connections, each running the exchanges of
 * its own without blocking on any; one serves thousands of requests a second, a second
 * one helped on a 2-core machine busy with other work
 * @param maxConnections how many connections may be in the middle of their exchange at
 * once; further ones are closed at once, and counted as
 * {@link ConnectionOutcome#REJECTED}
 */
public record ManagerServerSettings(ManagerAddress address, byte[] authkey, boolean allowRemoteShutdown,
		Duration timeout, int maxRequestBytes, int threads, int maxConnections) {

	/** The default {@link #timeout()}. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** The default {@link #maxRequestBytes()}. */
	public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;

	/** The default {@link #threads()}. */
	public static final int DEFAULT_THREADS = 1;

	/** The default {@link #maxConnections()}. */
	public static final int DEFAULT_MAX_CONNECTIONS = 256;

	/**
	 * Checks the settings and copies the authkey.
	 * @param address where to listen
	 * @param authkey the authkey
	 * @param allowRemoteShutdown whether a remote shutdown is allowed
	 * @param timeout the timeout of one exchange
	 * @param maxRequestBytes the longest request
	 * @param threads the threads
	 * @param maxConnections the connections served at once
	 */
	public ManagerServerSettings {
		Objects.requireNonNull(address, "address must not be null");
		Objects.requireNonNull(authkey, "authkey must not be null");
		Objects.requireNonNull(timeout, "timeout must not be null");
		if (authkey.length == 0) {
			throw new IllegalArgumentException("authkey must not be empty");
		}
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive, not " + timeout);
		}
		if (maxRequestBytes < 1 || threads < 1 || maxConnections < 1) {
			throw new IllegalArgumentException("maxRequestBytes, threads and maxConnections must be positive: "
					+ maxRequestBytes + ", " + threads + ", " + maxConnections);
		}
		authkey = authkey.clone();
	}

	/**
	 * Returns the default settings for an address and authkey: remote shutdown refused, a
	 * 10 s timeout, requests up to 64 KiB, one thread and 256 connections at once.
	 * @param address where to listen
	 * @param authkey the authkey
	 * @return the settings
	 */
	public static ManagerServerSettings of(ManagerAddress address, byte[] authkey) {
		return new ManagerServerSettings(address, authkey, false, DEFAULT_TIMEOUT, DEFAULT_MAX_REQUEST_BYTES,
				DEFAULT_THREADS, DEFAULT_MAX_CONNECTIONS);
	}

	@Override
	public byte[] authkey() {
		return this.authkey.clone();
	}

	/**
	 * Returns these settings with remote shutdown allowed or not.
	 * @param allowed whether a client's {@code shutdown} is obeyed
	 * @return the settings
	 */
	public ManagerServerSettings withAllowRemoteShutdown(boolean allowed) {
		return new ManagerServerSettings(this.address, this.authkey, allowed, this.timeout, this.maxRequestBytes,
				this.threads, this.maxConnections);
	}

	/**
	 * Returns these settings with another timeout.
	 * @param timeout how long one exchange may take
	 * @return the settings
	 */
	public ManagerServerSettings withTimeout(Duration timeout) {
		return new ManagerServerSettings(this.address, this.authkey, this.allowRemoteShutdown, timeout,
				this.maxRequestBytes, this.threads, this.maxConnections);
	}

	/**
	 * Returns these settings with another request size cap.
	 * @param maxRequestBytes the longest request
	 * @return the settings
	 */
	public ManagerServerSettings withMaxRequestBytes(int maxRequestBytes) {
		return new ManagerServerSettings(this.address, this.authkey, this.allowRemoteShutdown, this.timeout,
				maxRequestBytes, this.threads, this.maxConnections);
	}

	/**
	 * Returns these settings with another number of threads.
	 * @param threads how many threads serve the connections
	 * @return the settings
	 */
	public ManagerServerSettings withThreads(int threads) {
		return new ManagerServerSettings(this.address, this.authkey, this.allowRemoteShutdown, this.timeout,
				this.maxRequestBytes, threads, this.maxConnections);
	}

	/**
	 * Returns these settings with another limit on the connections served at once.
	 * @param maxConnections how many connections may be in their exchange at once
	 * @return the settings
	 */
	public ManagerServerSettings withMaxConnections(int maxConnections) {
		return new ManagerServerSettings(this.address, this.authkey, this.allowRemoteShutdown, this.timeout,
				this.maxRequestBytes, this.threads, maxConnections);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof ManagerServerSettings that && this.address.equals(that.address)
				&& MessageDigest.isEqual(this.authkey, that.authkey)
				&& this.allowRemoteShutdown == that.allowRemoteShutdown && this.timeout.equals(that.timeout)
				&& this.maxRequestBytes == that.maxRequestBytes && this.threads == that.threads
				&& this.maxConnections == that.maxConnections;
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.address, this.allowRemoteShutdown, this.timeout, this.maxRequestBytes, this.threads,
				this.maxConnections);
	}

	@Override
	public String toString() {
		return "ManagerServerSettings[address=" + this.address + ", authkey=(" + this.authkey.length
				+ " bytes, hidden), allowRemoteShutdown=" + this.allowRemoteShutdown + ", timeout=" + this.timeout
				+ ", maxRequestBytes=" + this.maxRequestBytes + ", threads=" + this.threads + ", maxConnections="
				+ this.maxConnections + "]";
	}

}
