package dev.sharedmemory.protocol.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;

/**
 * The HMAC digests CPython 3.12+ accept in a {@code {name}} prefix
 * ({@code _ALLOWED_DIGESTS}), with their JCA names.
 */
public enum HmacDigest {

	/** HMAC-MD5: the only digest of 3.9 to 3.11, unprefixed there. */
	MD5("md5", "HmacMD5"),

	/** HMAC-SHA256: what 3.12+ challenge with. */
	SHA256("sha256", "HmacSHA256"),

	/** HMAC-SHA384. */
	SHA384("sha384", "HmacSHA384"),

	/** HMAC-SHA3-256. */
	SHA3_256("sha3_256", "HmacSHA3-256"),

	/** HMAC-SHA3-384. */
	SHA3_384("sha3_384", "HmacSHA3-384");

	/** The longest Python name, which bounds where a prefix's closing brace may be. */
	static final int MAX_NAME_LENGTH = 8;

	private final String pythonName;

	private final String algorithm;

	HmacDigest(String pythonName, String algorithm) {
		this.pythonName = pythonName;
		this.algorithm = algorithm;
	}

	/**
	 * Returns the name Python uses in a {@code {name}} prefix.
	 * @return the name, such as {@code sha256}
	 */
	public String pythonName() {
		return this.pythonName;
	}

	/**
	 * Returns the prefix {@code {name}} as bytes.
	 * @return the prefix
	 */
	byte[] prefix() {
		return ("{" + this.pythonName + "}").getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Computes the HMAC of a message.
	 * @param key the authkey, not empty
	 * @param message the message
	 * @return the MAC
	 */
	byte[] mac(byte[] key, byte[] message) {
		return keyed(key).doFinal(message);
	}

	/**
	 * Returns a MAC initialized with a key, to compute one HMAC after another: each
	 * {@code doFinal} leaves it ready for the next message under the same key.
	 * @param key the authkey, not empty
	 * @return the MAC
	 */
	Mac keyed(byte[] key) {
		try {
			Mac mac = Mac.getInstance(this.algorithm);
			mac.init(new SecretKeySpec(key, this.algorithm));
			return mac;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HMAC " + this.algorithm + " is not available in this JVM", ex);
		}
	}

	/**
	 * Finds a digest by its Python name.
	 * @param name the name
	 * @return the digest, or {@code null} if CPython does not allow it
	 */
	static @Nullable HmacDigest ofPythonName(String name) {
		for (HmacDigest digest : values()) {
			if (digest.pythonName.equals(name)) {
				return digest;
			}
		}
		return null;
	}

}
