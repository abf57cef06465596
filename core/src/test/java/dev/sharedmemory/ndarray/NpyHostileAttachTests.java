package dev.sharedmemory.ndarray;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attaches {@link NDArray} to hostile blocks, by name and from a block attached already:
 * random bytes, valid {@code .npy} images cut short, extended or with bits flipped, and
 * headers forged from the grammar's pieces (huge, negative and overflowing dimensions,
 * lengths past the block, structured, object and unknown dtypes, broken syntax).
 * Attaching either works, and then every element lies within the block, or fails with
 * {@link InvalidNDArrayException} naming the block, and nothing else; what it allocates
 * is bounded by the block's size, whatever number the header forges.
 * <p>
 * The property runs {@code jqwik.tries.default} cases: jqwik's 1,000 in the normal build,
 * 100,000 with the core module's {@code reliability} profile
 * ({@code ./mvnw -B -Preliability -pl core verify}).
 */
class NpyHostileAttachTests {

	private static final String NAME = "ndarray-hostile-attach";

	// Fixed costs whatever the block: the array and its windows, and an exception's
	// message and stack trace.
	private static final long ALLOCATION_CONSTANT = 64 * 1024;

	// The header is copied once; the parser's strings and messages are bounded apart from
	// it.
	private static final long ALLOCATION_PER_BLOCK_BYTE = 4;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static final DType[] DTYPES = { DType.BOOL, DType.INT8, DType.UINT8, DType.INT16, DType.UINT32, DType.INT64,
			DType.FLOAT32, DType.FLOAT64.withByteOrder(ByteOrder.BIG_ENDIAN), DType.COMPLEX64 };

	private static final String[] DESCRS = { "'<f8'", "'>i4'", "'|u1'", "'|b1'", "'<c16'", "'|O'", "'<U3'", "'<f2'",
			"'<i3'", "'f8'", "'float64'", "[('a', '<i4')]", "('<f8', (2,))", "'", "''", "'<f8\\x00'", "3" };

	private static final String[] SHAPES = { "()", "(3,)", "(2, 3)", "(0,)", "(3)", "(-1,)", "(9223372036854775807,)",
			"(4294967296, 4294967296)", "(99999999999999999999,)", "(1, 2, 3, 4, 5, 6, 7, 8)", "[3]", "(3,,)", "(",
			"(03,)", "(1_0,)", "(3.0,)", "( 2 , 2 , )" };

	private static final LongAdder attached = new LongAdder();

	private static final LongAdder refused = new LongAdder();

	private static Path path;

	private static SharedMemoryDirectory directory;

	private static List<byte[]> validImages;

	@BeforeContainer
	static void createDirectoryAndValidImages() throws IOException {
		// With the counter off every reading is -1, and every bound below would pass
		// without measuring anything.
		assertThat(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled())
			.as("this JVM counts the bytes each thread allocates")
			.isTrue();
		path = Files.createTempDirectory(TestBlocks.DEV_SHM, "ndarray-hostile-");
		directory = SharedMemoryDirectory.of(path).withPageReservation(false);
		validImages = new ArrayList<>();
		Random random = new Random(11);
		for (int i = 0; i < 60; i++) {
			validImages.add(validImage(random));
		}
		warmUp(random);
		attached.reset();
		refused.reset();
	}

	private static void warmUp(Random random) {
		// Every path once before anything is measured: the first run of a path loads
		// classes, which no block causes.
		for (int round = 0; round < 20; round++) {
			for (byte[] image : validImages) {
				boolean byName = random.nextBoolean();
				attachAndRead(image, byName, false);
				attachAndRead(flipBits(image, random), byName, false);
				attachAndRead(forgedHeader(random), byName, false);
				attachAndRead(Arrays.copyOf(image, 1 + random.nextInt(image.length)), byName, false);
			}
			for (int major = 0; major <= 4; major++) {
				for (int length = 1; length <= 16; length++) {
					byte[] preamble = Arrays.copyOf(NpyLayout.MAGIC, 16);
					preamble[6] = (byte) major;
					random.ints(8, 0, 256).forEach((b) -> preamble[8 + random.nextInt(8)] = (byte) b);
					attachAndRead(Arrays.copyOf(preamble, length), random.nextBoolean(), false);
				}
			}
		}
	}

	@AfterContainer
	static void removeDirectory() throws IOException {
		try (Stream<Path> left = Files.list(path)) {
			List<Path> files = left.toList();
			for (Path file : files) {
				Files.delete(file);
			}
			assertThat(files).as("blocks a case did not unlink").isEmpty();
		}
		finally {
			Files.delete(path);
		}
		// The cases reach both outcomes: a generator that only ever produced garbage
		// would prove nothing.
		assertThat(attached.sum()).as("cases attached").isPositive();
		assertThat(refused.sum()).as("cases refused").isPositive();
	}

	@Property
	void attachingAHostileBlockFailsOnlyAsDocumentedAndAllocatesNoMoreThanItsSize(
			@ForAll("hostileBlocks") byte[] contents, @ForAll boolean byName) {
		attachAndRead(contents, byName, true);
	}

	/**
	 * Reads the block as an array: attached by name (the header read through the file) or
	 * from the block attached already (the header read through the mapping).
	 */
	private static void attachAndRead(byte[] contents, boolean byName, boolean measured) {
		try (SharedMemory block = directory.create(NAME, contents.length)) {
			block.buf().put(contents);
			NDArray array;
			long before = THREADS.getCurrentThreadAllocatedBytes();
			try {
				array = byName ? NDArray.attach(directory, NAME) : NDArray.of(block);
			}
			catch (InvalidNDArrayException ex) {
				refused.increment();
				assertThat(ex.getName()).isEqualTo(NAME);
				assertThat(ex.getMessage())
					.startsWith("Shared memory block '" + NAME + "' holds no valid .npy array: ");
				return;
			}
			finally {
				long allocated = measured ? THREADS.getCurrentThreadAllocatedBytes() - before : 0;
				assertThat(allocated).as("bytes allocated attaching to a block of %d bytes", contents.length)
					.isLessThanOrEqualTo(ALLOCATION_CONSTANT + ALLOCATION_PER_BLOCK_BYTE * contents.length);
			}
			try (array) {
				attached.increment();
				assertThat(array.dataOffset() + array.nbytes()).isLessThanOrEqualTo(contents.length);
				if (array.size() > 0) {
					long[] last = array.shape();
					for (int i = 0; i < last.length; i++) {
						last[i]--;
					}
					readElement(array, last);
				}
				assertThat(array.data().remaining()).isEqualTo(array.nbytes());
			}
		}
		finally {
			directory.unlink(NAME);
		}
	}

	private static void readElement(NDArray array, long[] index) {
		switch (array.dtype().kind()) {
			case BOOL -> array.getBoolean(index);
			case FLOAT -> {
				if (array.dtype().itemSize() == 4) {
					array.getFloat(index);
				}
				else {
					array.getDouble(index);
				}
			}
			case COMPLEX -> array.data(array.nbytes() - array.dtype().itemSize(), array.dtype().itemSize());
			default -> {
				switch (array.dtype().itemSize()) {
					case 1 -> array.getByte(index);
					case 2 -> array.getShort(index);
					case 4 -> array.getInt(index);
					default -> array.getLong(index);
				}
			}
		}
	}

	@Provide
	Arbitrary<byte[]> hostileBlocks() {
		Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(512);
		Arbitrary<byte[]> magicThenRandom = random.map((tail) -> {
			byte[] image = Arrays.copyOf(NpyLayout.MAGIC, NpyLayout.MAGIC.length + 2 + tail.length);
			image[6] = (byte) (1 + (tail[0] & 3));
			System.arraycopy(tail, 0, image, 8, tail.length);
			return image;
		});
		Arbitrary<byte[]> valid = Arbitraries.of(validImages);
		Arbitrary<byte[]> truncated = valid.flatMap((image) -> Arbitraries.integers()
			.between(1, image.length)
			.map((length) -> Arrays.copyOf(image, length)));
		Arbitrary<byte[]> extended = valid.flatMap((image) -> Arbitraries.integers()
			.between(1, 64)
			.map((extra) -> Arrays.copyOf(image, image.length + extra)));
		Arbitrary<byte[]> bitFlipped = Arbitraries.longs()
			.flatMap((seed) -> valid.map((image) -> flipBits(image, new Random(seed))));
		Arbitrary<byte[]> forged = Arbitraries.longs().map((seed) -> forgedHeader(new Random(seed)));
		return Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(2, magicThenRandom), Tuple.of(2, truncated),
				Tuple.of(1, extended), Tuple.of(3, bitFlipped), Tuple.of(4, forged));
	}

	private static byte[] validImage(Random random) {
		DType dtype = DTYPES[random.nextInt(DTYPES.length)];
		long[] shape = new long[random.nextInt(4)];
		for (int i = 0; i < shape.length; i++) {
			shape[i] = random.nextInt(5);
		}
		Order order = random.nextBoolean() ? Order.C : Order.F;
		byte[] header = NpyLayout.header(dtype, order, shape);
		long elements = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
		byte[] image = Arrays.copyOf(header, header.length + (int) elements * dtype.itemSize());
		for (int i = header.length; i < image.length; i++) {
			image[i] = (byte) random.nextInt();
		}
		return image;
	}

	private static byte[] flipBits(byte[] image, Random random) {
		byte[] flipped = image.clone();
		int flips = 1 + random.nextInt(8);
		for (int i = 0; i < flips; i++) {
			// Mostly in the preamble and header, where a flip changes what is parsed.
			int at = random.nextInt(Math.min(flipped.length, random.nextBoolean() ? 12 : 128));
			flipped[at] ^= (byte) (1 << random.nextInt(8));
		}
		return flipped;
	}

	/**
	 * A header of the grammar's pieces, some of them hostile, with a length field that is
	 * true, or forged, and data of any size.
	 */
	private static byte[] forgedHeader(Random random) {
		List<String> entries = new ArrayList<>(List.of("'descr': " + DESCRS[random.nextInt(DESCRS.length)],
				"'fortran_order': " + (random.nextBoolean() ? "True" : random.nextBoolean() ? "False" : "0"),
				"'shape': " + SHAPES[random.nextInt(SHAPES.length)]));
		Collections.shuffle(entries, random);
		if (random.nextInt(8) == 0) {
			entries.remove(0);
		}
		if (random.nextInt(8) == 0) {
			entries.add("'descr': '<f8'");
		}
		String dict = "{" + String.join(", ", entries) + (random.nextBoolean() ? ", }" : "}")
				+ " ".repeat(random.nextInt(80)) + (random.nextBoolean() ? "\n" : "");
		if (random.nextInt(10) == 0) {
			dict = dict.substring(0, random.nextInt(dict.length()));
		}
		int major = 1 + random.nextInt(3);
		byte[] image = NpyLayoutTests.npy(major, dict, random.nextInt(64));
		if (random.nextInt(6) == 0) {
			ByteBuffer lengths = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
			if (major == 1) {
				lengths.putShort(8, (short) random.nextInt());
			}
			else {
				lengths.putInt(8, random.nextBoolean() ? random.nextInt() : random.nextInt(image.length + 16));
			}
		}
		return image;
	}

}
