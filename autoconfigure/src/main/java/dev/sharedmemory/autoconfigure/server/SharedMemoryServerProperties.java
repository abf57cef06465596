package dev.sharedmemory.autoconfigure.server;

import java.nio.charset.StandardCharsets;

import dev.sharedmemory.protocol.ManagerAddress;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties of the manager server, under {@code shared-memory.server}:
 * Python processes reach the application's manager there with
 * {@code SharedMemoryManager(address=..., authkey=...).connect()}. They validate
 * themselves when bound; an error names its key and never shows the authkey.
 */
@ConfigurationProperties("shared-memory.server")
public class SharedMemoryServerProperties implements Validator {

	/** The shortest authkey accepted, in bytes. */
	public static final int MIN_AUTHKEY_BYTES = 16;

	/**
	 * Whether to serve the application's SharedMemoryManager to Python processes, as
	 * CPython's SharedMemoryManager server does. Requires the manager to work in
	 * /dev/shm.
	 */
	private boolean enabled = false;

	/**
	 * Address to listen on: host:port (Python's ("host", port)), ":port" for 127.0.0.1,
	 * port 0 for any free port, or the path of a Unix socket (Python's str address),
	 * created with mode 0600.
	 */
	private String address = "127.0.0.1:50000";

	/**
	 * Secret that clients must prove they hold, as Python's authkey: its UTF-8 bytes, at
	 * least 16. Required when the server is enabled; never logged.
	 */
	private @Nullable String authkey;

	/**
	 * Whether a client's 'shutdown' may unlink every block tracked for clients and stop
	 * the server. A Python client must not be able to stop part of the application, so
	 * this is off by default.
	 */
	private boolean allowRemoteShutdown = false;

	/**
	 * Name of the SharedMemoryManager bean to serve, where the context holds several.
	 * Unset, the server serves the only one, or else the primary one.
	 */
	private @Nullable String manager;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getAddress() {
		return this.address;
	}

	public void setAddress(String address) {
		this.address = address;
	}

	public @Nullable String getAuthkey() {
		return this.authkey;
	}

	public void setAuthkey(@Nullable String authkey) {
		this.authkey = authkey;
	}

	public @Nullable String getManager() {
		return this.manager;
	}

	public void setManager(@Nullable String manager) {
		this.manager = manager;
	}

	public boolean isAllowRemoteShutdown() {
		return this.allowRemoteShutdown;
	}

	public void setAllowRemoteShutdown(boolean allowRemoteShutdown) {
		this.allowRemoteShutdown = allowRemoteShutdown;
	}

	/**
	 * Returns the authkey's bytes.
	 * @return the UTF-8 bytes of the authkey
	 * @throws IllegalStateException if there is none
	 */
	public byte[] authkeyBytes() {
		if (this.authkey == null) {
			throw new IllegalStateException("shared-memory.server.authkey is not set");
		}
		return this.authkey.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Tells whether this validator validates the given class.
	 * @param type the class
	 * @return {@code true} for {@code SharedMemoryServerProperties}
	 */
	@Override
	public boolean supports(Class<?> type) {
		return SharedMemoryServerProperties.class.isAssignableFrom(type);
	}

	/**
	 * Rejects an enabled server without a usable authkey, and an address that is neither
	 * host:port nor a path.
	 * @param target the properties
	 * @param errors where to report each invalid value
	 */
	@Override
	public void validate(Object target, Errors errors) {
		SharedMemoryServerProperties properties = (SharedMemoryServerProperties) target;
		if (!properties.isEnabled()) {
			return;
		}
		// Rejected on the object, not the field: a field error would show the rejected
		// value, the secret.
		if (properties.getAuthkey() == null || properties.getAuthkey().isEmpty()) {
			errors.reject("authkeyMissing", "shared-memory.server.authkey is required when shared-memory.server."
					+ "enabled is true: set a secret of at least " + MIN_AUTHKEY_BYTES + " bytes");
		}
		else if (properties.authkeyBytes().length < MIN_AUTHKEY_BYTES) {
			errors.reject("authkeyShort", "shared-memory.server.authkey must be at least " + MIN_AUTHKEY_BYTES
					+ " bytes long, not " + properties.authkeyBytes().length);
		}
		try {
			ManagerAddress.parse(properties.getAddress());
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("address", "invalid", ex.getMessage());
		}
	}

}
