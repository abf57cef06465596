package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for blocks larger than one {@link ByteBuffer} can address (2 GiB), in
 * {@code /dev/shm}. The blocks are created without page reservation, so they stay sparse:
 * a 3 GiB block costs a few pages of memory.
 */
class LargeBlockTests {

	private static final long THREE_GIB = 3L << 30;

	private static final long TWO_GIB = 1L << 31;

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private final SharedMemoryDirectory sparse = SharedMemoryDirectory.defaultDirectory().withPageReservation(false);

	@Test
	void largeBlockIsCreatedWithItsFullSize() throws Exception {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		assertThat(block.size()).isEqualTo(THREE_GIB);
		assertThat(Files.size(Path.of("/dev/shm", block.name()))).isEqualTo(THREE_GIB);
		assertThat(block).hasToString("SharedMemory('" + block.name() + "', size=3221225472)");
	}

	@Test
	void largeBlockIsAttachedWithItsFullSizeBeforeAnyWrite() {
		String name = this.cleanup.newName(this.sparse);
		this.cleanup.track(this.sparse.create(name, THREE_GIB));
		SharedMemory attached = this.cleanup.track(SharedMemory.attach(name));
		assertThat(attached.size()).isEqualTo(THREE_GIB);
		assertThat(attached.buf(THREE_GIB - 8, 8).getLong(0)).isZero();
	}

	@Test
	void bufOfALargeBlockPointsToTheWindowedForm() {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		assertThatIllegalStateException().isThrownBy(block::buf)
			.withMessage("Shared memory block '" + block.name() + "' is 3221225472 bytes, more than one ByteBuffer "
					+ "can address (2147483639); use buf(offset, length) for a window of it");
	}

	@Test
	void everyPartOfALargeBlockIsReachedThroughWindows() {
		String name = this.cleanup.newName(this.sparse);
		SharedMemory creator = this.cleanup.track(this.sparse.create(name, THREE_GIB));
		SharedMemory attached = this.cleanup.track(SharedMemory.attach(name));
		creator.buf(0, 8).putLong(0, 1L);
		// A window across the 2 GiB line, where an int offset would overflow.
		ByteBuffer across = creator.buf(TWO_GIB - 4, 8);
		assertThat(across.order()).isEqualTo(ByteOrder.nativeOrder());
		across.putLong(0, 0x1122334455667788L);
		creator.buf(THREE_GIB - 24, 16).putLong(0, 2L).putLong(8, -3L);
		creator.buf(THREE_GIB - 1, 1).put(0, (byte) 0x7F);

		assertThat(attached.buf(0, 8).getLong(0)).isEqualTo(1L);
		assertThat(attached.buf(TWO_GIB - 4, 8).getLong(0)).isEqualTo(0x1122334455667788L);
		assertThat(attached.buf(TWO_GIB, 4).getInt(0))
			.isEqualTo((ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) ? 0x11223344 : 0x55667788);
		assertThat(attached.buf(THREE_GIB - 24, 8).getLong(0)).isEqualTo(2L);
		assertThat(attached.buf(THREE_GIB - 16, 8).getLong(0)).isEqualTo(-3L);
		assertThat(attached.buf(THREE_GIB - 17, 3).get(2)).isEqualTo((byte) -1);
		assertThat(attached.buf(THREE_GIB - 8, 7).getInt(3)).isZero();
		assertThat(attached.buf(THREE_GIB - 1, 1).get(0)).isEqualTo((byte) 0x7F);
		assertThat(attached.buf(THREE_GIB, 0).capacity()).isZero();
	}

	@Test
	void windowsOfALargeBlockAreChecked() {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(THREE_GIB - 8, 16));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(THREE_GIB + 1, 0));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(-1, 1));
	}

	@Test
	void windowOfTheLargestSizeIsMapped() {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		ByteBuffer window = block.buf(THREE_GIB - SharedMemory.MAX_BUFFER_BYTES, SharedMemory.MAX_BUFFER_BYTES);
		assertThat(window.capacity()).isEqualTo(SharedMemory.MAX_BUFFER_BYTES);
		window.put(SharedMemory.MAX_BUFFER_BYTES - 1, (byte) 5);
		assertThat(block.buf(THREE_GIB - 1, 1).get(0)).isEqualTo((byte) 5);
		assertThatIllegalArgumentException().isThrownBy(() -> block.buf(0, SharedMemory.MAX_BUFFER_BYTES + 1))
			.withMessageContaining(block.name())
			.withMessageContaining(String.valueOf(SharedMemory.MAX_BUFFER_BYTES));
	}

	@Test
	void anInterruptedThreadDoesNotBreakTheBlockForOthers() {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		Thread.currentThread().interrupt();
		try {
			block.buf(THREE_GIB - 8, 8).putLong(0, 99L);
			assertThat(Thread.currentThread().isInterrupted()).isTrue();
		}
		finally {
			Thread.interrupted();
		}
		assertThat(block.buf(THREE_GIB - 8, 8).getLong(0)).isEqualTo(99L);
	}

	@Test
	void windowsAfterCloseThrow() {
		SharedMemory block = this.cleanup.track(this.sparse.create(THREE_GIB));
		block.close();
		assertThatIllegalStateException().isThrownBy(() -> block.buf(0, 8))
			.withMessage("Shared memory block '" + block.name() + "' is closed");
		assertThatIllegalStateException().isThrownBy(block::buf).withMessageContaining("is closed");
	}

	@Test
	void largeBlockIsUnlinked() {
		String name = this.cleanup.newName(this.sparse);
		try (SharedMemory block = this.sparse.create(name, THREE_GIB)) {
			block.unlink();
		}
		assertThat(this.sparse.exists(name)).isFalse();
	}

}
