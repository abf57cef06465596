package dev.sharedmemory.protocol;

import org.jspecify.annotations.Nullable;

/**
 * Who sent a request: its address, and for a Unix socket the user the kernel vouches for
 * ({@code SO_PEERCRED}).
 *
 * @param address the peer's {@code host:port}, or the socket path
 * @param user the peer's user name on a Unix socket, else {@code null}
 */
public record Peer(String address, @Nullable String user) {

	@Override
	public String toString() {
		return (this.user != null) ? "user " + this.user + " on " + this.address : this.address;
	}

}
