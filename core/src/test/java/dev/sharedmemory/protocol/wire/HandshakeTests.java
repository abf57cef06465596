package dev.sharedmemory.protocol.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The rules of {@code _get_digest_name_and_payload}, {@code _create_response} and
 * {@code _verify_challenge}; the real clients and servers of every CPython version are in
 * the interop tests.
 */
class HandshakeTests {

	private final Handshake handshake = new Handshake("a secret of 24 bytes....".getBytes(StandardCharsets.US_ASCII));

	@Test
	void answersALegacy20ByteChallengeWithARawHmacMd5() throws Exception {
		byte[] challenge = new byte[20];
		assertThat(this.handshake.answer(challenge)).hasSize(16)
			.isEqualTo(HmacDigest.MD5.mac("a secret of 24 bytes....".getBytes(StandardCharsets.US_ASCII), challenge));
	}

	@ParameterizedTest
	@EnumSource(HmacDigest.class)
	void answersAPrefixedChallengeWithThePrefixAndTheHmacOfTheWholeMessage(HmacDigest digest) throws Exception {
		byte[] message = concat(digest.prefix(), new byte[40]);
		byte[] answer = this.handshake.answer(message);
		assertThat(new String(answer, StandardCharsets.ISO_8859_1)).startsWith("{" + digest.pythonName() + "}");
		assertThatNoException().isThrownBy(() -> this.handshake.verify(message, answer));
	}

	@ParameterizedTest
	@EnumSource(HmacDigest.class)
	void verifiesEveryDigestCPythonAcceptsAndARawMd5(HmacDigest digest) throws Exception {
		byte[] challenge = concat(HmacDigest.SHA256.prefix(), new byte[40]);
		byte[] key = "a secret of 24 bytes....".getBytes(StandardCharsets.US_ASCII);
		byte[] prefixed = concat(digest.prefix(), digest.mac(key, challenge));
		assertThatNoException().isThrownBy(() -> this.handshake.verify(challenge, prefixed));
		// What a 3.9 to 3.11 client answers to a {sha256} challenge: the raw HMAC-MD5 of
		// all of it.
		assertThatNoException().isThrownBy(() -> this.handshake.verify(challenge, HmacDigest.MD5.mac(key, challenge)));
	}

	@Test
	void refusesAWrongAnswerAnUnknownDigestAndAShortChallenge() {
		byte[] challenge = concat(HmacDigest.SHA256.prefix(), new byte[40]);
		byte[] wrong = concat(HmacDigest.SHA256.prefix(), HmacDigest.SHA256.mac(new byte[] { 1 }, challenge));
		assertThatExceptionOfType(AuthenticationException.class)
			.isThrownBy(() -> this.handshake.verify(challenge, wrong))
			.withMessageContaining("wrong authkey");
		byte[] sha1 = concat("{sha1}".getBytes(StandardCharsets.US_ASCII), new byte[20]);
		assertThatExceptionOfType(AuthenticationException.class)
			.isThrownBy(() -> this.handshake.verify(challenge, sha1))
			.withMessageContaining("unsupported digest");
		assertThatExceptionOfType(AuthenticationException.class)
			.isThrownBy(() -> this.handshake.verify(challenge, Arrays.copyOf(wrong, 30)))
			.withMessageContaining("Expected an HMAC-sha256 of 32 bytes, got 22");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> new Handshake(new byte[0]));
	}

	@Test
	void aThreadsStepsDrawAFreshChallengeEachTimeAndInteroperateWithTheSharedHandshake() throws Exception {
		ThreadHandshake steps = this.handshake.forThread();
		Set<String> randomParts = new HashSet<>();
		byte[] prefix = "#CHALLENGE#{sha256}".getBytes(StandardCharsets.US_ASCII);
		// Past one draw of the generator (64 challenges), so that it is drawn from again.
		for (int i = 0; i < 200; i++) {
			byte[] challenge = steps.newChallenge();
			assertThat(challenge).hasSize(prefix.length + 40).startsWith(prefix);
			randomParts.add(Arrays.toString(Arrays.copyOfRange(challenge, prefix.length, challenge.length)));
			// A client with the key answers it, as the shared handshake does.
			byte[] answer = this.handshake.answerTo(challenge);
			assertThatNoException().isThrownBy(() -> steps.verifyAnswer(challenge, answer));
		}
		assertThat(randomParts).hasSize(200);
		byte[] clientChallenge = this.handshake.newChallenge();
		assertThat(steps.answerTo(clientChallenge)).isEqualTo(this.handshake.answerTo(clientChallenge));
		byte[] legacy = concat("#CHALLENGE#".getBytes(StandardCharsets.US_ASCII), new byte[20]);
		assertThat(steps.answerTo(legacy)).isEqualTo(this.handshake.answerTo(legacy)).hasSize(16);
	}

	@Test
	void aThreadsStepsRefuseAnAnswerUnderAnotherKey() throws Exception {
		ThreadHandshake steps = this.handshake.forThread();
		byte[] challenge = steps.newChallenge();
		byte[] wrong = new Handshake("another secret of 24 b..".getBytes(StandardCharsets.US_ASCII))
			.answerTo(challenge);
		assertThatExceptionOfType(AuthenticationException.class).isThrownBy(() -> steps.verifyAnswer(challenge, wrong))
			.withMessageContaining("wrong authkey");
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

}
