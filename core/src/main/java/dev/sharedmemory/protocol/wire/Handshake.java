package dev.sharedmemory.protocol.wire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;

import org.jspecify.annotations.Nullable;

/**
 * The mutual authentication of {@code multiprocessing.connection}, both schemes: 3.9 to
 * 3.11 challenge with {@code #CHALLENGE#} and 20 random bytes and answer with a raw
 * HMAC-MD5 of them; 3.12+ challenge with {@code #CHALLENGE#{sha256}} and 40 random bytes
 * and answer with {@code {sha256}} and the HMAC-SHA256 of the whole prefixed message.
 * <p>
 * This side always challenges as 3.12+ do: a 3.9 to 3.11 peer takes the whole prefixed
 * message for its challenge and answers with a raw HMAC-MD5 of it, which
 * {@link #deliverChallenge} accepts, as CPython 3.12+ does. When answering, it follows
 * the challenger's scheme. Blocking peers run the exchanges on a {@link MessageStream}; a
 * non-blocking server runs the same steps ({@link #newChallenge}, {@link #verifyAnswer},
 * {@link #verdict}, {@link #answerTo}, {@link #checkVerdict}) on its own framing, through
 * {@link #forThread()}. Instances are immutable and thread-safe.
 */
public final class Handshake {

	private static final byte[] CHALLENGE = ascii("#CHALLENGE#");

	private static final byte[] WELCOME = ascii("#WELCOME#");

	private static final byte[] FAILURE = ascii("#FAILURE#");

	/** The random bytes of a challenge. */
	static final int MESSAGE_LENGTH = 40;

	private static final int LEGACY_CHALLENGE_LENGTH = 20;

	private static final int LEGACY_ANSWER_LENGTH = 16;

	private static final HmacDigest CHALLENGE_DIGEST = HmacDigest.SHA256;

	/** {@code #CHALLENGE#{sha256}}: what every challenge starts with. */
	private static final byte[] CHALLENGE_PREFIX = concat(CHALLENGE, CHALLENGE_DIGEST.prefix());

	private static final SecureRandom RANDOM = new SecureRandom();

	private final byte[] authkey;

	// A MAC per digest, keyed once and cloned for each HMAC: looking the algorithm up
	// and keying it cost more than the HMAC itself, on every connection of a server.
	private final Map<HmacDigest, Mac> keyedMacs = new ConcurrentHashMap<>();

	/**
	 * Creates the handshake for an authkey.
	 * @param authkey the shared secret, not empty (an empty authkey means no
	 * authentication to CPython, which this library never offers)
	 */
	public Handshake(byte[] authkey) {
		Objects.requireNonNull(authkey, "authkey must not be null");
		if (authkey.length == 0) {
			throw new IllegalArgumentException("authkey must not be empty");
		}
		this.authkey = authkey.clone();
	}

	/**
	 * Authenticates a client, as CPython's {@code Listener.accept}: delivers a challenge,
	 * then answers the client's.
	 * @param stream the connection
	 * @throws AuthenticationException if the client's answer is wrong (after telling it
	 * {@code #FAILURE#}), or it refuses ours
	 * @throws IOException if the connection fails or breaks the protocol
	 */
	public void authenticateClient(MessageStream stream) throws IOException {
		deliverChallenge(stream);
		answerChallenge(stream);
	}

	/**
	 * Authenticates to a server, as CPython's {@code Client}: answers its challenge, then
	 * delivers one.
	 * @param stream the connection
	 * @throws AuthenticationException if the server refuses our answer or answers ours
	 * wrongly
	 * @throws IOException if the connection fails or breaks the protocol
	 */
	public void authenticateServer(MessageStream stream) throws IOException {
		answerChallenge(stream);
		deliverChallenge(stream);
	}

	/**
	 * Sends a challenge, reads the answer and sends the verdict.
	 * @param stream the connection
	 * @throws AuthenticationException if the answer is wrong; {@code #FAILURE#} has been
	 * sent
	 * @throws IOException if the connection fails or breaks the protocol
	 */
	public void deliverChallenge(MessageStream stream) throws IOException {
		byte[] challenge = newChallenge();
		stream.send(challenge);
		byte[] answer = stream.receive(MessageStream.MAX_HANDSHAKE_BYTES);
		try {
			verifyAnswer(challenge, answer);
		}
		catch (AuthenticationException ex) {
			stream.send(verdict(false));
			throw ex;
		}
		stream.send(verdict(true));
	}

	/**
	 * Reads a challenge, answers it and reads the verdict.
	 * @param stream the connection
	 * @throws AuthenticationException if the challenge is malformed or the verdict is not
	 * {@code #WELCOME#}
	 * @throws IOException if the connection fails or breaks the protocol
	 */
	public void answerChallenge(MessageStream stream) throws IOException {
		stream.send(answerTo(stream.receive(MessageStream.MAX_HANDSHAKE_BYTES)));
		checkVerdict(stream.receive(MessageStream.MAX_HANDSHAKE_BYTES));
	}

	/**
	 * The first step of delivering a challenge: a new one to send, {@code #CHALLENGE#},
	 * the {@code {sha256}} prefix and 40 random bytes.
	 * @return the whole message, to send and later pass to {@link #verifyAnswer}
	 */
	public byte[] newChallenge() {
		return newChallenge(RANDOM);
	}

	/**
	 * The second step of delivering a challenge: checks the peer's answer to it.
	 * @param challenge the message {@link #newChallenge()} returned, as sent
	 * @param answer the peer's answer
	 * @throws AuthenticationException if the answer is wrong: send the
	 * {@link #verdict(boolean) verdict} {@code false}
	 */
	public void verifyAnswer(byte[] challenge, byte[] answer) throws AuthenticationException {
		verifyAnswer(this::mac, challenge, answer);
	}

	/**
	 * Answers a peer's challenge, in the peer's scheme.
	 * @param challenge the message received, starting with {@code #CHALLENGE#}
	 * @return the answer to send
	 * @throws AuthenticationException if the message is not a challenge
	 */
	public byte[] answerTo(byte[] challenge) throws AuthenticationException {
		return answerTo(this::mac, challenge);
	}

	/**
	 * Returns the steps of this handshake for one thread, such as a server's loop: they
	 * draw their challenges from a generator of their own and reuse one keyed MAC per
	 * digest, with no lock and no copy per message.
	 * @return new steps, for the calling thread only
	 */
	public ThreadHandshake forThread() {
		return new ThreadHandshake(this.authkey);
	}

	private static byte[] newChallenge(SecureRandom random) {
		byte[] bytes = new byte[MESSAGE_LENGTH];
		random.nextBytes(bytes);
		return newChallenge(bytes, 0);
	}

	/**
	 * Makes a challenge of {@link #MESSAGE_LENGTH} random bytes.
	 * @param random where the random bytes are
	 * @param offset where they start
	 * @return the whole message
	 */
	static byte[] newChallenge(byte[] random, int offset) {
		byte[] challenge = Arrays.copyOf(CHALLENGE_PREFIX, CHALLENGE_PREFIX.length + MESSAGE_LENGTH);
		System.arraycopy(random, offset, challenge, CHALLENGE_PREFIX.length, MESSAGE_LENGTH);
		return challenge;
	}

	static void verifyAnswer(Macs macs, byte[] challenge, byte[] answer) throws AuthenticationException {
		verify(macs, Arrays.copyOfRange(challenge, CHALLENGE.length, challenge.length), answer);
	}

	static byte[] answerTo(Macs macs, byte[] challenge) throws AuthenticationException {
		if (!startsWith(challenge, CHALLENGE)) {
			throw new AuthenticationException("Protocol error: expected a challenge, got a message of "
					+ challenge.length + " bytes that does not start with #CHALLENGE#");
		}
		byte[] message = Arrays.copyOfRange(challenge, CHALLENGE.length, challenge.length);
		if (message.length < LEGACY_CHALLENGE_LENGTH) {
			throw new AuthenticationException("Challenge too short: " + message.length + " bytes");
		}
		return answer(macs, message);
	}

	/**
	 * Returns the verdict on a peer's answer.
	 * @param welcome whether the answer was right
	 * @return {@code #WELCOME#} or {@code #FAILURE#}, to send
	 */
	public static byte[] verdict(boolean welcome) {
		return (welcome ? WELCOME : FAILURE).clone();
	}

	/**
	 * Checks the peer's verdict on our answer.
	 * @param verdict the message received
	 * @throws AuthenticationException unless it is {@code #WELCOME#}
	 */
	public static void checkVerdict(byte[] verdict) throws AuthenticationException {
		if (!Arrays.equals(verdict, WELCOME)) {
			throw new AuthenticationException("The peer rejected our answer to its challenge: wrong authkey?");
		}
	}

	/**
	 * Computes the answer to a challenge (without {@code #CHALLENGE#}), as CPython's
	 * {@code _create_response}.
	 */
	byte[] answer(byte[] message) throws AuthenticationException {
		return answer(this::mac, message);
	}

	private static byte[] answer(Macs macs, byte[] message) throws AuthenticationException {
		Prefixed parsed = parse(message);
		if (parsed.digest() == null) {
			return macs.mac(HmacDigest.MD5, message);
		}
		return concat(parsed.digest().prefix(), macs.mac(parsed.digest(), message));
	}

	/**
	 * Checks an answer to our challenge message, as CPython's {@code _verify_challenge}:
	 * a raw 16-byte answer is HMAC-MD5, any other names its digest.
	 */
	void verify(byte[] message, byte[] answer) throws AuthenticationException {
		verify(this::mac, message, answer);
	}

	private static void verify(Macs macs, byte[] message, byte[] answer) throws AuthenticationException {
		Prefixed parsed = parse(answer);
		HmacDigest digest = (parsed.digest() != null) ? parsed.digest() : HmacDigest.MD5;
		byte[] expected = macs.mac(digest, message);
		if (expected.length != parsed.payload().length) {
			throw new AuthenticationException("Expected an HMAC-" + digest.pythonName() + " of " + expected.length
					+ " bytes, got " + parsed.payload().length);
		}
		if (!MessageDigest.isEqual(expected, parsed.payload())) {
			throw new AuthenticationException("The answer to our challenge was wrong: wrong authkey?");
		}
	}

	private byte[] mac(HmacDigest digest, byte[] message) {
		Mac keyed = this.keyedMacs.computeIfAbsent(digest, (key) -> key.keyed(this.authkey));
		try {
			return ((Mac) keyed.clone()).doFinal(message);
		}
		catch (CloneNotSupportedException ex) {
			// A provider whose MACs cannot be cloned: keyed afresh each time.
			return digest.mac(this.authkey, message);
		}
	}

	/**
	 * Splits a challenge or an answer into its digest and payload, as CPython's
	 * {@code _get_digest_name_and_payload}: 16 or 20 bytes are legacy (no digest),
	 * anything else must start with an allowed {@code {name}}.
	 */
	static Prefixed parse(byte[] message) throws AuthenticationException {
		if (message.length == LEGACY_CHALLENGE_LENGTH || message.length == LEGACY_ANSWER_LENGTH) {
			return new Prefixed(null, message);
		}
		if (message.length > 0 && message[0] == '{') {
			int limit = Math.min(message.length, HmacDigest.MAX_NAME_LENGTH + 2);
			for (int i = 1; i < limit; i++) {
				if (message[i] == '}') {
					HmacDigest digest = HmacDigest
						.ofPythonName(new String(message, 1, i - 1, StandardCharsets.US_ASCII));
					if (digest != null) {
						return new Prefixed(digest, Arrays.copyOfRange(message, i + 1, message.length));
					}
					break;
				}
			}
		}
		throw new AuthenticationException("Unsupported message length (" + message.length
				+ " bytes), missing digest prefix, or unsupported digest");
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * A challenge or answer split: its digest ({@code null} for legacy MD5) and what
	 * follows the prefix.
	 */
	record Prefixed(@Nullable HmacDigest digest, byte[] payload) {
	}

	/** Where the HMACs of a message under the authkey come from. */
	@FunctionalInterface
	interface Macs {

		byte[] mac(HmacDigest digest, byte[] message);

	}

}
