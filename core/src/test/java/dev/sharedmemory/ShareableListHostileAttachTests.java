package dev.sharedmemory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

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
 * Attaches {@link ShareableList} to hostile blocks: random bytes, valid lists cut short,
 * valid lists with bits flipped, and valid lists whose header fields hold extreme values.
 * Attaching and reading every item either works or fails with
 * {@link InvalidShareableListException}, the documented exception, and nothing else; what
 * attaching allocates is bounded by the block's size (the JVM counts this thread's
 * allocated bytes); and every case ends, so nothing loops on a forged length or offset.
 * <p>
 * The property runs {@code jqwik.tries.default} cases: jqwik's 1,000 in the normal build,
 * 100,000 with the core module's {@code reliability} profile
 * ({@code ./mvnw -B -Preliability -pl core verify}).
 */
class ShareableListHostileAttachTests {

	private static final String NAME = "hostile-attach";

	// Fixed costs whatever the block: the list and its buffer, and an exception's message
	// and stack trace.
	private static final long ALLOCATION_CONSTANT = 64 * 1024;

	// Attaching keeps one int per item, and a block holds at most one item per 17 bytes.
	private static final long ALLOCATION_PER_BLOCK_BYTE = 4;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static final LongAdder cases = new LongAdder();

	private static final LongAdder refused = new LongAdder();

	private static final LongAdder itemsRead = new LongAdder();

	private static final LongAdder itemsRefused = new LongAdder();

	private static final LongAccumulator largestAttachAllocation = new LongAccumulator(Long::max, 0);

	private static Path path;

	private static SharedMemoryDirectory directory;

	private static List<byte[]> validLists;

	@BeforeContainer
	static void createDirectoryAndValidLists() throws IOException {
		// With the counter off every reading is -1, and every bound below would pass
		// without measuring anything.
		assertThat(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled())
			.as("this JVM counts the bytes each thread allocates")
			.isTrue();
		path = Files.createTempDirectory(DevShm.PATH, "shared-memory-hostile-");
		directory = SharedMemoryDirectory.of(path).withPageReservation(false);
		validLists = new ArrayList<>();
		Random random = new Random(7);
		validLists.add(ShareableListHostileInputTests.validList());
		validLists.add(image(List.of()));
		for (int i = 0; i < 60; i++) {
			validLists.add(image(randomItems(random)));
		}
		warmUp(random);
	}

	/**
	 * Runs every path once before anything is measured: the first run of a path loads and
	 * links classes, which is allocation no block causes.
	 */
	private static void warmUp(Random random) {
		for (int round = 0; round < 20; round++) {
			for (byte[] list : validLists) {
				for (byte[] contents : List.of(list, flipBits(list, random), forgeHeader(list, random),
						Arrays.copyOf(list, 1 + random.nextInt(list.length)))) {
					try (SharedMemory block = directory.create(NAME, contents.length)) {
						block.buf().put(contents);
						readEveryItem(ShareableList.of(block), contents.length);
					}
					catch (InvalidShareableListException ex) {
						// Expected of most: the point is to have run the path.
					}
					finally {
						directory.unlink(NAME);
					}
				}
			}
		}
		cases.reset();
		itemsRead.reset();
		itemsRefused.reset();
	}

	@AfterContainer
	static void removeDirectoryAndReport() throws IOException {
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
		System.out.printf(
				"RELIABILITY hostile ShareableList: %d cases, %d refused at attach, %d attached (%d items "
						+ "read, %d refused), largest attach allocation %d bytes, 0 other exceptions%n",
				cases.sum(), refused.sum(), cases.sum() - refused.sum(), itemsRead.sum(), itemsRefused.sum(),
				largestAttachAllocation.get());
	}

	@Property
	void attachingAHostileBlockFailsOnlyAsDocumentedAndAllocatesNoMoreThanItsSize(
			@ForAll("hostileBlocks") byte[] contents) {
		cases.increment();
		try (SharedMemory block = directory.create(NAME, contents.length)) {
			block.buf().put(contents);
			ShareableList list;
			long before = THREADS.getCurrentThreadAllocatedBytes();
			try {
				list = ShareableList.of(block);
			}
			catch (InvalidShareableListException ex) {
				assertThat(ex.getName()).isEqualTo(NAME);
				refused.increment();
				return;
			}
			finally {
				long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
				largestAttachAllocation.accumulate(allocated);
				assertThat(allocated).as("bytes allocated attaching to a block of %d bytes", contents.length)
					.isLessThanOrEqualTo(ALLOCATION_CONSTANT + ALLOCATION_PER_BLOCK_BYTE * contents.length);
			}
			readEveryItem(list, contents.length);
		}
		finally {
			directory.unlink(NAME);
		}
	}

	private static void readEveryItem(ShareableList list, int blockSize) {
		for (int i = 0; i < list.size(); i++) {
			long before = THREADS.getCurrentThreadAllocatedBytes();
			try {
				list.get(i);
				itemsRead.increment();
			}
			catch (InvalidShareableListException ex) {
				itemsRefused.increment();
			}
			// An item is at most its slot, decoded once: a string takes at most two bytes
			// a char.
			assertThat(THREADS.getCurrentThreadAllocatedBytes() - before)
				.isLessThanOrEqualTo(ALLOCATION_CONSTANT + 4L * blockSize);
		}
		try {
			assertThat(list.format()).isNotNull();
		}
		catch (InvalidShareableListException ex) {
			assertThat(ex.getName()).isEqualTo(NAME);
		}
	}

	@Provide
	Arbitrary<byte[]> hostileBlocks() {
		Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4096);
		Arbitrary<byte[]> valid = Arbitraries.of(validLists);
		Arbitrary<byte[]> truncated = valid.flatMap(
				(list) -> Arbitraries.integers().between(1, list.length).map((length) -> Arrays.copyOf(list, length)));
		Arbitrary<byte[]> extended = valid.flatMap((list) -> Arbitraries.integers()
			.between(1, 64)
			.map((extra) -> Arrays.copyOf(list, list.length + extra)));
		Arbitrary<byte[]> bitFlipped = Arbitraries.longs()
			.flatMap((seed) -> valid.map((list) -> flipBits(list, new Random(seed))));
		Arbitrary<byte[]> forgedHeader = Arbitraries.longs()
			.flatMap((seed) -> valid.map((list) -> forgeHeader(list, new Random(seed))));
		return Arbitraries.frequencyOf(Tuple.of(2, random), Tuple.of(2, truncated), Tuple.of(1, extended),
				Tuple.of(3, bitFlipped), Tuple.of(3, forgedHeader));
	}

	private static byte[] flipBits(byte[] list, Random random) {
		byte[] flipped = list.clone();
		int flips = 1 + random.nextInt(8);
		for (int i = 0; i < flips; i++) {
			int bit = random.nextInt(flipped.length * 8);
			flipped[bit / 8] ^= (byte) (1 << (bit % 8));
		}
		return flipped;
	}

	/**
	 * Overwrites one of the words a reader trusts before it knows better: the length, an
	 * offset, a format, with a value chosen to mislead it.
	 */
	private static byte[] forgeHeader(byte[] list, Random random) {
		byte[] forged = list.clone();
		ByteBuffer buffer = ByteBuffer.wrap(forged).order(ByteOrder.nativeOrder());
		long length = buffer.getLong(0);
		long[] extremes = { 0, 1, -1, 7, 8, 16, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE,
				forged.length, forged.length - 8L, forged.length / 17, length + 1, length - 1, 1L << 32,
				random.nextLong() };
		long value = extremes[random.nextInt(extremes.length)];
		int words = forged.length / 8;
		int word = (random.nextInt(4) == 0) ? 0 : random.nextInt(Math.max(1, Math.min(words, (int) length + 2)));
		if (word * 8 + 8 <= forged.length) {
			buffer.putLong(word * 8, value);
		}
		return forged;
	}

	private static byte[] image(List<?> items) {
		try (ShareableList list = ShareableList.create(directory, NAME, items)) {
			byte[] bytes = new byte[(int) list.shm().size()];
			list.shm().buf().get(bytes);
			return bytes;
		}
		finally {
			directory.unlink(NAME);
		}
	}

	private static List<Object> randomItems(Random random) {
		int count = random.nextInt(20);
		List<Object> items = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			switch (random.nextInt(6)) {
				case 0 -> items.add(random.nextLong());
				case 1 -> items.add(random.nextDouble());
				case 2 -> items.add(random.nextBoolean());
				case 3 -> items.add(null);
				case 4 -> items.add("é€x".repeat(random.nextInt(30)));
				default -> {
					byte[] bytes = new byte[random.nextInt(100)];
					random.nextBytes(bytes);
					items.add(bytes);
				}
			}
		}
		return items;
	}

}
