package dev.sharedmemory.protocol.pickle;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws generated messages at the decoder: random bytes behind a valid {@code PROTO},
 * soups of real opcodes with random operands (forged lengths among them), and valid
 * requests with bytes flipped, cut short or spliced. Every message decodes or fails with
 * a {@link PickleException}, nothing else, and allocates no more than a bound
 * proportional to its own length, whatever lengths it declares.
 * <p>
 * Each try throws 10 messages: jqwik's default 1,000 tries make 10,000 messages in the
 * normal build; the core module's {@code reliability} profile
 * ({@code jqwik.tries.default=100000}) makes 1,000,000.
 */
class PickleDecoderPropertyTests {

	private static final byte[] OPCODES = bytes("()0]}NKMJ\u008a\u008bGX\u008c\u008dBC\u008e\u0096\u0085\u0086\u0087t"
			+ "laeusdqr\u0094hj\u0095\u0080\u0088\u0089.cRb\u0093io\u0081\u0092PQ\u0082\u0083\u0084\u0097\u0098\u008f"
			+ "2IFSVTUgp\u00ff");

	private static final long FIXED_ALLOCATION_BOUND = 256 * 1024;

	private static final long ALLOCATION_PER_BYTE = 64;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private final PickleDecoder decoder = new PickleDecoder();

	@BeforeContainer
	static void allocationIsCounted() {
		// With the counter off every reading is -1, and every bound below would pass
		// without measuring anything.
		assertThat(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled())
			.as("this JVM counts the bytes each thread allocates")
			.isTrue();
	}

	@Property
	void decodesOrRefusesWithinBoundedMemory(@ForAll("messages") @Size(10) List<byte[]> messages) {
		for (byte[] message : messages) {
			long before = THREADS.getCurrentThreadAllocatedBytes();
			try {
				this.decoder.decode(message);
			}
			catch (PickleException ex) {
				assertThat(ex.getMessage()).isNotBlank();
			}
			long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
			assertThat(allocated).as("bytes allocated to decode %d bytes", message.length)
				.isLessThanOrEqualTo(FIXED_ALLOCATION_BOUND + ALLOCATION_PER_BYTE * message.length);
		}
	}

	@Provide
	Arbitrary<List<byte[]>> messages() {
		return Arbitraries.oneOf(randomAfterProto(), opcodeSoup(), mutatedRequests()).list();
	}

	private static Arbitrary<byte[]> randomAfterProto() {
		return Arbitraries.bytes()
			.array(byte[].class)
			.ofMaxSize(300)
			.map((tail) -> concat(bytes("\u0080\u0004"), tail));
	}

	/**
	 * Real opcodes, each followed by 0 to 8 random operand bytes: forged lengths, marks,
	 * memo indexes.
	 */
	private static Arbitrary<byte[]> opcodeSoup() {
		Arbitrary<byte[]> step = Arbitraries.integers()
			.between(0, OPCODES.length - 1)
			.flatMap((index) -> Arbitraries.bytes()
				.array(byte[].class)
				.ofMaxSize(8)
				.map((operand) -> concat(new byte[] { OPCODES[index] }, operand)));
		return step.list().ofMaxSize(60).map((steps) -> {
			byte[] message = bytes("\u0080\u0004");
			for (byte[] part : steps) {
				message = concat(message, part);
			}
			return concat(message, bytes("."));
		});
	}

	private static Arbitrary<byte[]> mutatedRequests() {
		byte[] valid = new PickleEncoder().encode(PickleTuple.of(null, "track_segment", PickleTuple.of("psm_0a1b2c3d"),
				Map.of("k", List.of(1L, 2.5, "x".repeat(40)))));
		Arbitrary<byte[]> flipped = Arbitraries.integers()
			.between(0, valid.length - 1)
			.list()
			.ofMinSize(1)
			.ofMaxSize(4)
			.flatMap((positions) -> Arbitraries.bytes().list().ofSize(positions.size()).map((values) -> {
				byte[] copy = valid.clone();
				for (int i = 0; i < positions.size(); i++) {
					copy[positions.get(i)] = values.get(i);
				}
				return copy;
			}));
		Arbitrary<byte[]> truncated = Arbitraries.integers()
			.between(0, valid.length - 1)
			.map((length) -> Arrays.copyOf(valid, length));
		Arbitrary<byte[]> spliced = Arbitraries.integers()
			.between(2, valid.length - 1)
			.flatMap((at) -> Arbitraries.integers().between(0, OPCODES.length - 1).map((index) -> {
				byte[] copy = Arrays.copyOf(valid, valid.length + 1);
				System.arraycopy(valid, at, copy, at + 1, valid.length - at);
				copy[at] = OPCODES[index];
				return copy;
			}));
		return Arbitraries.oneOf(flipped, truncated, spliced);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static byte[] bytes(String latin1) {
		return latin1.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
	}

}
