package dev.sharedmemory.protocol.wire;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import javax.crypto.Mac;

/**
 * The non-blocking steps of a {@link Handshake} for one thread, such as a server's loop:
 * its challenges come from a DRBG of its own, seeded once and drawn from for many
 * challenges at a time, and each digest's MAC is keyed once and reused, {@code doFinal}
 * leaving it ready for the next message. A server of thousands of connections a second
 * thus takes no lock shared with other threads and copies no MAC per connection. Not
 * thread-safe: one per thread, from {@link Handshake#forThread()}.
 */
public final class ThreadHandshake {

	private final byte[] authkey;

	/** How many challenges' random bytes one call of the generator makes. */
	private static final int CHALLENGES_PER_DRAW = 64;

	private final SecureRandom random = newRandom();

	/** Random bytes drawn and not used yet, from {@link #unused} on. */
	private final byte[] pool = new byte[CHALLENGES_PER_DRAW * Handshake.MESSAGE_LENGTH];

	private int unused = this.pool.length;

	private final Map<HmacDigest, Mac> macs = new EnumMap<>(HmacDigest.class);

	ThreadHandshake(byte[] authkey) {
		this.authkey = authkey;
	}

	/**
	 * A new challenge to send, as {@link Handshake#newChallenge()}.
	 * @return the whole message, to send and later pass to {@link #verifyAnswer}
	 */
	public byte[] newChallenge() {
		if (this.unused == this.pool.length) {
			// A call of the generator costs as much as a few kilobytes of its output.
			this.random.nextBytes(this.pool);
			this.unused = 0;
		}
		byte[] challenge = Handshake.newChallenge(this.pool, this.unused);
		// Wiped once used: a challenge's bytes do not stay behind in the pool.
		Arrays.fill(this.pool, this.unused, this.unused + Handshake.MESSAGE_LENGTH, (byte) 0);
		this.unused += Handshake.MESSAGE_LENGTH;
		return challenge;
	}

	/**
	 * Checks the peer's answer to a challenge, as {@link Handshake#verifyAnswer}.
	 * @param challenge the message {@link #newChallenge()} returned, as sent
	 * @param answer the peer's answer
	 * @throws AuthenticationException if the answer is wrong
	 */
	public void verifyAnswer(byte[] challenge, byte[] answer) throws AuthenticationException {
		Handshake.verifyAnswer(this::mac, challenge, answer);
	}

	/**
	 * Answers a peer's challenge in the peer's scheme, as {@link Handshake#answerTo}.
	 * @param challenge the message received, starting with {@code #CHALLENGE#}
	 * @return the answer to send
	 * @throws AuthenticationException if the message is not a challenge
	 */
	public byte[] answerTo(byte[] challenge) throws AuthenticationException {
		return Handshake.answerTo(this::mac, challenge);
	}

	private byte[] mac(HmacDigest digest, byte[] message) {
		return this.macs.computeIfAbsent(digest, (key) -> key.keyed(this.authkey)).doFinal(message);
	}

	private static SecureRandom newRandom() {
		try {
			return SecureRandom.getInstance("DRBG");
		}
		catch (NoSuchAlgorithmException ex) {
			// A JVM without the DRBG: its default generator.
			return new SecureRandom();
		}
	}

}
