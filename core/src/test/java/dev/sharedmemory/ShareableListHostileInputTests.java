package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Attaching to a block that holds no valid ShareableList, or one another process
 * corrupted, fails with an {@link InvalidShareableListException} naming the block and the
 * fault: never another exception, a hang or a huge allocation.
 */
class ShareableListHostileInputTests {

	private static final String NAME = "hostile";

	@TempDir(factory = InDevShm.class)
	Path path;

	private SharedMemoryDirectory directory;

	@BeforeEach
	void directory() {
		this.directory = SharedMemoryDirectory.of(this.path).withPageReservation(false);
	}

	@AfterEach
	void nothingLeft() throws Exception {
		try (Stream<Path> left = Files.list(this.path)) {
			assertThat(left).as("blocks the test did not unlink").isEmpty();
		}
	}

	@Test
	void validListAttaches() {
		byte[] valid = validList();
		try (SharedMemory block = block(valid); ShareableList list = ShareableList.of(block)) {
			assertThat(list).containsExactly("howdy", "HoWdY".getBytes(StandardCharsets.US_ASCII), -273.154, 100L, null,
					true, 42L);
		}
		finally {
			this.directory.unlink(NAME);
		}
	}

	@Test
	void tooSmallForAnyList() {
		assertInvalid(new byte[15], "15 bytes, fewer than the 16");
		assertInvalid(new byte[1], "1 bytes");
	}

	@Test
	void zerosOfTheWrongSize() {
		assertInvalid(new byte[4096], "describes a list of 16 bytes, but the block has 4096");
	}

	@Test
	void negativeLength() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(0, -1)), "length field holds -1");
	}

	@Test
	void lengthBeyondTheBlockIsCheckedBeforeAllocating() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(0, Long.MAX_VALUE)),
				"length field holds 9223372036854775807, but 191 bytes hold at most 10 items");
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(0, Integer.MAX_VALUE)), "at most 10 items");
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(0, 8)),
				"the slot of item 4 ends at offset 40, but the 8 items of a 191-byte block leave 39 bytes of data");
	}

	@Test
	void firstOffsetNotZero() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(8, 8)), "offset of item 0 is 8, not 0");
	}

	@Test
	void offsetsGoingBackwards() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(8 + 2 * 8, 0)),
				"item 1 has a slot from offset 8 to 0");
	}

	@Test
	void slotSmallerThanAWord() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(8 + 8, 4)), "item 0 has a slot from offset 0 to 4");
	}

	@Test
	void offsetBeyondTheBlock() {
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(8 + 7 * 8, Long.MAX_VALUE)),
				"the slot of item 6 ends at offset 9223372036854775807");
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(8 + 7 * 8, Long.MIN_VALUE)), "item 6 has a slot");
	}

	@Test
	void blockLargerThanTheListItHolds() {
		assertInvalid(Arrays.copyOf(validList(), 192), "describes a list of 191 bytes, but the block has 192");
	}

	@Test
	void truncatedList() {
		assertInvalid(Arrays.copyOf(validList(), 190),
				"the slot of item 6 ends at offset 56, but the 7 items of a 190-byte block leave 55 bytes of data");
		assertInvalid(Arrays.copyOf(validList(), 100), "its length field holds 7, but 100 bytes hold at most 4 items");
		assertInvalid(Arrays.copyOf(validList(), 17), "its length field holds 7, but 17 bytes hold at most 0 items");
	}

	@Test
	void aZeroSizedStringFormatReadsAsEmpty() {
		// CPython never writes one (a slot is at least a word), but "0s" is a valid
		// struct format and means "".
		byte[] zeroSized = edit(validList(),
				(buffer) -> buffer.putLong(formatAt(0), 0).put(formatAt(0), "0s".getBytes(StandardCharsets.US_ASCII)));
		try (SharedMemory block = block(zeroSized); ShareableList list = ShareableList.of(block)) {
			assertThat(list.get(0)).isEqualTo("");
			assertThat(list.format()).startsWith("0s8sdq");
		}
		finally {
			this.directory.unlink(NAME);
		}
	}

	@Test
	void unknownFormat() {
		assertInvalid(edit(validList(), (buffer) -> buffer.put(formatAt(3), (byte) 'Q')),
				"item 3 has format 'Q' and back-transform code 0");
		assertInvalid(edit(validList(), (buffer) -> buffer.put(formatAt(3) + 5, (byte) 'q')), "item 3 has format 'q");
		assertInvalid(edit(validList(), (buffer) -> buffer.putLong(formatAt(0), 0)), "item 0 has format ''");
	}

	@Test
	void stringFormatLargerThanItsSlot() {
		assertInvalid(edit(validList(), (buffer) -> buffer.put(formatAt(0), "9s".getBytes(StandardCharsets.US_ASCII))),
				"item 0 has format '9s' and back-transform code 1, which CPython never writes in a slot of 8 bytes");
	}

	@Test
	void unknownOrMismatchedCode() {
		assertInvalid(edit(validList(), (buffer) -> buffer.put(codeAt(3), (byte) 7)),
				"item 3 has format 'q' and back-transform code 7");
		assertInvalid(edit(validList(), (buffer) -> buffer.put(codeAt(3), (byte) -1)), "back-transform code -1");
		assertInvalid(edit(validList(), (buffer) -> buffer.put(codeAt(3), (byte) 1)),
				"format 'q' and back-transform code 1");
		assertInvalid(edit(validList(), (buffer) -> buffer.put(codeAt(0), (byte) 0)),
				"format '8s' and back-transform code 0");
		assertInvalid(edit(validList(), (buffer) -> buffer.put(codeAt(4), (byte) 0)),
				"format 'xxxxxx?x' and back-transform code 0");
	}

	@Test
	void randomBlocks() {
		Random random = new Random(1);
		for (int size : new int[] { 16, 17, 64, 191, 4096 }) {
			byte[] bytes = new byte[size];
			random.nextBytes(bytes);
			// Random bytes fail the first check: a length field no block of that size can
			// hold.
			long length = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).getLong(0);
			assertInvalid(bytes, "its length field holds " + length + ", but " + size + " bytes hold at most ");
		}
	}

	@Test
	void itemCorruptedAfterAttachFailsOnAccessOnlyAndCanBeOverwritten() {
		try (SharedMemory block = block(validList()); ShareableList list = ShareableList.of(block)) {
			block.buf().put(formatAt(2), (byte) 'z');
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(() -> list.get(2))
				.withMessageContaining("'" + NAME + "'")
				.withMessageContaining("item 2 has format 'z'");
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(() -> list.getDouble(2));
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(list::format);
			assertThat(list.get(3)).isEqualTo(100L);
			list.setDouble(2, 1.5);
			assertThat(list.get(2)).isEqualTo(1.5);
			// A str format grown past its slot by another process is refused rather than
			// read beyond the slot.
			block.buf().put(formatAt(0), "16s".getBytes(StandardCharsets.US_ASCII));
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(() -> list.getString(0))
				.withMessageContaining("'16s'");
		}
		finally {
			this.directory.unlink(NAME);
		}
	}

	@Test
	void failedAttachByNameLeavesTheBlockAlone() {
		try (SharedMemory block = block(new byte[4096])) {
			assertThatExceptionOfType(InvalidShareableListException.class)
				.isThrownBy(() -> ShareableList.of(this.directory.attach(NAME)))
				.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(NAME));
			assertThat(this.directory.exists(NAME)).isTrue();
			assertThat(block.isClosed()).isFalse();
		}
		finally {
			this.directory.unlink(NAME);
		}
	}

	/**
	 * CPython's bytes for ['howdy', b'HoWdY', -273.154, 100, None, True, 42], as the
	 * interop tests prove Java writes them.
	 */
	static byte[] validList() {
		ByteBuffer buffer = ByteBuffer.allocate(191).order(ByteOrder.nativeOrder());
		buffer.putLong(0, 7);
		for (int i = 0; i <= 7; i++) {
			buffer.putLong(8 + 8 * i, 8L * i);
		}
		int data = 72;
		buffer.put(data, "howdy".getBytes(StandardCharsets.US_ASCII));
		buffer.put(data + 8, "HoWdY".getBytes(StandardCharsets.US_ASCII));
		buffer.putDouble(data + 16, -273.154);
		buffer.putLong(data + 24, 100);
		buffer.put(data + 47, (byte) 1);
		buffer.putLong(data + 48, 42);
		String[] formats = { "8s", "8s", "d", "q", "xxxxxx?x", "xxxxxxx?", "q" };
		byte[] codes = { 1, 2, 0, 0, 3, 0, 0 };
		for (int i = 0; i < 7; i++) {
			buffer.put(formatAt(i), formats[i].getBytes(StandardCharsets.US_ASCII));
			buffer.put(codeAt(i), codes[i]);
		}
		return buffer.array();
	}

	private static int formatAt(int index) {
		return 72 + 56 + 8 * index;
	}

	private static int codeAt(int index) {
		return 72 + 56 + 56 + index;
	}

	private static byte[] edit(byte[] bytes, Consumer<ByteBuffer> change) {
		change.accept(ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()));
		return bytes;
	}

	private SharedMemory block(byte[] contents) {
		SharedMemory block = this.directory.create(NAME, contents.length);
		block.buf().put(contents);
		return block;
	}

	private void assertInvalid(byte[] contents, String fault) {
		try (SharedMemory block = block(contents)) {
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(() -> ShareableList.of(block))
				.withMessageContaining("'" + NAME + "'")
				.withMessageContaining(fault);
			assertThat(block.isClosed()).isFalse();
		}
		finally {
			this.directory.unlink(NAME);
		}
	}

}
