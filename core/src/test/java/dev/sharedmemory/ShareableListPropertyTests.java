package dev.sharedmemory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of {@link ShareableList} over generated lists: any list reads back as
 * written through a second handle, and any corruption of a valid block (flipped bits, a
 * cut, overwritten bytes) either still reads or fails with an
 * {@link InvalidShareableListException}, and nothing else.
 */
class ShareableListPropertyTests {

	private static final String NAME = "property";

	private static final char EMOJI_HIGH_SURROGATE = (char) 0xD83D;

	private static Path path;

	private static SharedMemoryDirectory directory;

	@BeforeContainer
	static void createDirectory() throws IOException {
		path = Files.createTempDirectory(DevShm.PATH, "shared-memory-properties-");
		directory = SharedMemoryDirectory.of(path).withPageReservation(false);
	}

	@AfterContainer
	static void removeDirectory() throws IOException {
		try (Stream<Path> left = Files.list(path)) {
			List<Path> files = left.toList();
			for (Path file : files) {
				Files.delete(file);
			}
			assertThat(files).as("blocks a property did not unlink").isEmpty();
		}
		finally {
			Files.delete(path);
		}
	}

	@Property(tries = 300)
	void anyListReadsBackThroughAnotherHandle(@ForAll("items") List<Object> items) {
		try (ShareableList created = ShareableList.create(directory, NAME, items);
				ShareableList attached = ShareableList.of(directory.attach(NAME))) {
			assertThat(attached).isEqualTo(created);
			assertThat(attached.toString()).isEqualTo(created.toString());
			// What the block holds, checked against CPython's layout rules written out
			// here, not the code's own.
			assertThat(attached.format()).isEqualTo(cpythonFormat(items));
			assertThat(attached.shm().size()).isEqualTo(cpythonBlockSize(items));
			for (int i = 0; i < items.size(); i++) {
				assertThat(attached.get(i)).isEqualTo(asStored(items.get(i)));
			}
		}
		finally {
			directory.unlink(NAME);
		}
	}

	@Property(tries = 500)
	void corruptedBlocksReadOrFailWithTheDocumentedException(@ForAll("items") List<Object> items,
			@ForAll @IntRange(min = 0, max = 3) int corruption, @ForAll long seed) {
		byte[] valid;
		try (ShareableList created = ShareableList.create(directory, NAME, items)) {
			valid = new byte[(int) created.shm().size()];
			created.shm().buf().get(valid);
		}
		finally {
			directory.unlink(NAME);
		}
		byte[] corrupted = corrupt(valid, items.size(), corruption, new Random(seed));
		try (SharedMemory block = directory.create(NAME, corrupted.length)) {
			block.buf().put(corrupted);
			try (ShareableList list = ShareableList.of(block)) {
				for (int i = 0; i < list.size(); i++) {
					int index = i;
					readOrFailAsDocumented(() -> list.get(index));
				}
				readOrFailAsDocumented(list::format);
				readOrFailAsDocumented(list::toString);
			}
			catch (InvalidShareableListException ex) {
				assertThat(ex.getName()).isEqualTo(NAME);
				assertThat(ex.getMessage()).contains("'" + NAME + "'");
			}
		}
		finally {
			directory.unlink(NAME);
		}
	}

	private static void readOrFailAsDocumented(Runnable read) {
		try {
			read.run();
		}
		catch (InvalidShareableListException ex) {
			assertThat(ex.getMessage()).contains("'" + NAME + "'");
		}
	}

	/**
	 * The struct format CPython's ShareableList writes: {@code q}, {@code d},
	 * {@code xxxxxxx?} and {@code xxxxxx?x} for int, float, bool and None;
	 * {@code <slot>s} for str and bytes, a slot being {@code 8 * (len // 8 + 1)} bytes
	 * (the length of a str counted in UTF-8 bytes: Java does not repeat gh-88336).
	 */
	private static String cpythonFormat(List<Object> items) {
		StringBuilder format = new StringBuilder();
		for (Object item : items) {
			format
				.append((item == null) ? "xxxxxx?x" : (item instanceof Boolean) ? "xxxxxxx?" : (item instanceof Double)
						? "d" : (item instanceof String || item instanceof byte[]) ? cpythonSlot(item) + "s" : "q");
		}
		return format.toString();
	}

	/**
	 * The length word, n + 1 offsets, the slots, n formats of 8 bytes and n one-byte
	 * back-transform codes.
	 */
	private static long cpythonBlockSize(List<Object> items) {
		long slots = 0;
		for (Object item : items) {
			slots += (item instanceof String || item instanceof byte[]) ? cpythonSlot(item) : 8;
		}
		return 8 + 8L * (items.size() + 1) + slots + 8L * items.size() + items.size();
	}

	private static int cpythonSlot(Object item) {
		int length = (item instanceof String text) ? text.getBytes(StandardCharsets.UTF_8).length
				: ((byte[]) item).length;
		return 8 * (length / 8 + 1);
	}

	/**
	 * What reading an item gives back: a long for an int, and no trailing NULs (no length
	 * is stored).
	 */
	private static Object asStored(Object item) {
		if (item instanceof Integer number) {
			return Long.valueOf(number);
		}
		if (item instanceof byte[] bytes) {
			int end = bytes.length;
			while (end > 0 && bytes[end - 1] == 0) {
				end--;
			}
			return Arrays.copyOf(bytes, end);
		}
		if (item instanceof String text) {
			return text.replaceAll("\u0000+$", "");
		}
		return item;
	}

	private static byte[] corrupt(byte[] valid, int itemCount, int corruption, Random random) {
		byte[] bytes = valid.clone();
		switch (corruption) {
			case 0 -> {
				int flips = 1 + random.nextInt(4);
				for (int i = 0; i < flips; i++) {
					bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
				}
			}
			case 1 -> bytes = Arrays.copyOf(bytes, 1 + random.nextInt(bytes.length));
			case 2 -> {
				int from = random.nextInt(bytes.length);
				int length = 1 + random.nextInt(Math.min(16, bytes.length - from));
				for (int i = from; i < from + length; i++) {
					bytes[i] = (byte) random.nextInt(256);
				}
			}
			default -> {
				// A header field, the length or an offset, replaced by any 64-bit value.
				int field = random.nextInt(itemCount + 2);
				ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putLong(8 * field, random.nextLong());
			}
		}
		return bytes;
	}

	@Provide
	Arbitrary<List<Object>> items() {
		Arbitrary<Object> text = Arbitraries.strings()
			.withCharRange(' ', '~')
			.withCharRange('\u00a0', '\u024f')
			.withCharRange('\u3040', '\u30ff')
			.withChars('\u0000', EMOJI_HIGH_SURROGATE)
			.ofMaxLength(40)
			.map(ShareableListPropertyTests::pairSurrogates);
		Arbitrary<Object> item = Arbitraries
			.oneOf(Arbitraries.longs().map(Object.class::cast), Arbitraries.integers().map(Object.class::cast),
					Arbitraries.doubles().map(Object.class::cast),
					Arbitraries.of(Double.NaN, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE)
						.map(Object.class::cast),
					Arbitraries.of(true, false).map(Object.class::cast), text,
					Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Object.class::cast))
			.injectNull(0.1);
		return item.list().ofMaxSize(12);
	}

	// The generator may leave a lone high surrogate: give it its low half, so that every
	// text is valid Unicode.
	private static String pairSurrogates(String text) {
		return text.replace(String.valueOf(EMOJI_HIGH_SURROGATE), "\uD83D\uDE00");
	}

}
