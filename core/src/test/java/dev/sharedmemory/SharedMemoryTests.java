package dev.sharedmemory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link SharedMemory} through its static methods, in the default directory
 * ({@code /dev/shm}), where Python keeps its blocks too; blocks under generated names
 * come from {@link BlockCleanup#create(long)}, which writes them down before they are
 * filled.
 */
class SharedMemoryTests {

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private final SharedMemoryDirectory shm = SharedMemoryDirectory.defaultDirectory();

	@Test
	void defaultDirectoryIsDevShm() {
		assertThat(System.getProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY)).isNull();
		assertThat(this.shm.path()).isEqualTo(Path.of("/dev/shm"));
		assertThat(this.shm.reservesPages()).isTrue();
	}

	@Test
	void createGeneratesPythonStyleNames() throws Exception {
		Set<String> names = new HashSet<>();
		for (int i = 0; i < 20; i++) {
			SharedMemory block = this.cleanup.create(512);
			assertThat(block.name()).matches("psm_[0-9a-f]{8}");
			assertThat(block.size()).isEqualTo(512);
			assertThat(Files.size(Path.of("/dev/shm", block.name()))).isEqualTo(512);
			names.add(block.name());
		}
		assertThat(names).hasSize(20);
	}

	@Test
	void createDrawsAnotherNameWhenTheGeneratedOneIsTaken() {
		String taken = this.cleanup.newName(this.shm);
		String free = this.cleanup.newName(this.shm);
		SharedMemory existing = this.cleanup.track(SharedMemory.create(taken, 64));
		existing.buf().put(0, (byte) 7);
		Iterator<String> names = List.of(taken, free).iterator();
		SharedMemory block = this.cleanup.track(this.shm.create(1, names::next));
		assertThat(block.name()).isEqualTo(free);
		assertThat(block.size()).isEqualTo(1);
		assertThat(names.hasNext()).isFalse();
		try (SharedMemory again = SharedMemory.attach(taken)) {
			assertThat(again.size()).isEqualTo(64);
			assertThat(again.buf().get(0)).isEqualTo((byte) 7);
		}
	}

	@Test
	void createGivesUpWhenEveryGeneratedNameIsTaken() {
		String taken = this.cleanup.newName(this.shm);
		this.cleanup.track(SharedMemory.create(taken, 64));
		AtomicInteger draws = new AtomicInteger();
		assertThatExceptionOfType(SharedMemoryExistsException.class).isThrownBy(() -> this.shm.create(1, () -> {
			draws.incrementAndGet();
			return taken;
		})).withMessageContaining(taken);
		assertThat(draws).hasValueGreaterThan(1);
		assertThat(this.cleanup.track(SharedMemory.attach(taken)).size()).isEqualTo(64);
	}

	@Test
	void createWithNameIsExclusiveWithMode0600() throws Exception {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, 100));
		block.buf().put(0, (byte) 42);
		Path file = Path.of("/dev/shm", name);
		assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
				PosixFilePermission.OWNER_WRITE);
		assertThat(Files.size(file)).isEqualTo(100);
		assertThatExceptionOfType(SharedMemoryExistsException.class).isThrownBy(() -> SharedMemory.create(name, 50))
			.withMessage("Shared memory block '" + name + "' already exists")
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(name));
		assertThat(Files.size(file)).isEqualTo(100);
		assertThat(block.buf().get(0)).isEqualTo((byte) 42);
	}

	@Test
	void nameAcceptsALeadingSlashAndReturnsItWithout() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create("/" + name, 16));
		assertThat(block.name()).isEqualTo(name);
		assertThat(this.shm.exists("/" + name)).isTrue();
		try (SharedMemory attached = SharedMemory.attach("/" + name)) {
			assertThat(attached.name()).isEqualTo(name);
		}
		block.unlink();
		assertThat(this.shm.exists(name)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(longs = { 1, 7, 4095, 4096, 4097, 1234567 })
	void attachTakesTheExactSizeFromTheBlock(long size) {
		String name = this.cleanup.newName(this.shm);
		this.cleanup.track(SharedMemory.create(name, size));
		try (SharedMemory attached = SharedMemory.attach(name)) {
			assertThat(attached.size()).isEqualTo(size);
			assertThat(attached.buf().capacity()).isEqualTo(size);
		}
	}

	@Test
	void bufIsADirectReadWriteViewOfTheWholeBlockInNativeOrder() {
		SharedMemory block = this.cleanup.create(1000);
		ByteBuffer buf = block.buf();
		assertThat(buf.isDirect()).isTrue();
		assertThat(buf.isReadOnly()).isFalse();
		assertThat(buf.order()).isEqualTo(ByteOrder.nativeOrder());
		assertThat(buf.position()).isZero();
		assertThat(buf.limit()).isEqualTo(1000);
		assertThat(buf.capacity()).isEqualTo(1000);
	}

	@Test
	void bufOfANewBlockHoldsZeros() {
		SharedMemory block = this.cleanup.create(10000);
		ByteBuffer buf = block.buf();
		while (buf.hasRemaining()) {
			assertThat(buf.get()).isZero();
		}
	}

	@Test
	void eachBufCallReturnsAnIndependentViewOfTheSameMemory() {
		SharedMemory block = this.cleanup.create(64);
		ByteBuffer first = block.buf();
		first.position(10).limit(20);
		first.put((byte) 1);
		ByteBuffer second = block.buf();
		assertThat(second.position()).isZero();
		assertThat(second.limit()).isEqualTo(64);
		assertThat(second.get(10)).isEqualTo((byte) 1);
		second.order(ByteOrder.BIG_ENDIAN);
		assertThat(block.buf().order()).isEqualTo(ByteOrder.nativeOrder());
		assertThat(first.position()).isEqualTo(11);
	}

	@Test
	void writesAreSeenThroughAnotherHandleAtOnce() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory creator = this.cleanup.track(SharedMemory.create(name, 4096));
		SharedMemory attached = this.cleanup.track(SharedMemory.attach(name));
		creator.buf().putLong(8, 0x0102030405060708L);
		assertThat(attached.buf().getLong(8)).isEqualTo(0x0102030405060708L);
		attached.buf().putInt(4092, 0xCAFEBABE);
		assertThat(creator.buf().getInt(4092)).isEqualTo(0xCAFEBABE);
		// Native order: on x86-64 and arm64 the low byte comes first, as Python's struct
		// '=' and numpy see it.
		byte low = creator.buf().get(8);
		assertThat(low).isEqualTo((ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) ? (byte) 8 : (byte) 1);
	}

	@Test
	void windowCoversTheGivenPartOfTheBlock() {
		SharedMemory block = this.cleanup.create(256);
		ByteBuffer window = block.buf(100, 16);
		assertThat(window.position()).isZero();
		assertThat(window.limit()).isEqualTo(16);
		assertThat(window.capacity()).isEqualTo(16);
		assertThat(window.order()).isEqualTo(ByteOrder.nativeOrder());
		window.putLong(8, -1L);
		assertThat(block.buf().getLong(108)).isEqualTo(-1L);
		assertThat(block.buf(0, 256).getLong(108)).isEqualTo(-1L);
		assertThat(block.buf(255, 1).get(0)).isZero();
		assertThat(block.buf(256, 0).capacity()).isZero();
	}

	@Test
	void windowOutsideTheBlockIsRefused() {
		SharedMemory block = this.cleanup.create(256);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(250, 16));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(-1, 4));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(0, -1));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> block.buf(257, 0));
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> block.buf(Long.MAX_VALUE, Integer.MAX_VALUE));
	}

	@Test
	void closeIsIdempotentAndNeverUnlinks() {
		String name = this.cleanup.newName(this.shm);
		try (SharedMemory block = SharedMemory.create(name, 32)) {
			block.buf().put(3, (byte) 33);
			block.close();
			assertThat(block.isClosed()).isTrue();
		}
		assertThat(this.shm.exists(name)).isTrue();
		try (SharedMemory again = SharedMemory.attach(name)) {
			assertThat(again.isClosed()).isFalse();
			assertThat(again.buf().get(3)).isEqualTo((byte) 33);
		}
		assertThat(this.shm.exists(name)).isTrue();
	}

	@Test
	void unlinkRemovesTheNameWhileMappingsKeepWorking() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory creator = this.cleanup.track(SharedMemory.create(name, 64));
		SharedMemory attached = this.cleanup.track(SharedMemory.attach(name));
		creator.unlink();
		assertThat(this.shm.exists(name)).isFalse();
		assertThat(Files.exists(Path.of("/dev/shm", name))).isFalse();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> SharedMemory.attach(name));
		creator.buf().put(0, (byte) 9);
		assertThat(attached.buf().get(0)).isEqualTo((byte) 9);
	}

	@Test
	void secondUnlinkThrowsNotFoundNamingTheBlock() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, 64));
		block.unlink();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(block::unlink)
			.withMessage("Shared memory block '" + name + "' does not exist")
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(name));
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> this.shm.unlink(name));
	}

	@Test
	void attachToAMissingBlockThrowsNotFoundNamingTheBlock() {
		String name = this.cleanup.newName(this.shm);
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> SharedMemory.attach(name))
			.withMessageContaining("'" + name + "'")
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(name));
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> SharedMemory.attach("/" + name))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(name));
		assertThat(this.shm.exists(name)).isFalse();
	}

	@Test
	void errorsAreUncheckedAndDistinct() {
		assertThat(RuntimeException.class).isAssignableFrom(SharedMemoryException.class);
		assertThat(SharedMemoryException.class).isAssignableFrom(SharedMemoryExistsException.class);
		assertThat(SharedMemoryException.class).isAssignableFrom(SharedMemoryNotFoundException.class);
		assertThat(SharedMemoryExistsException.class.isAssignableFrom(SharedMemoryNotFoundException.class)).isFalse();
		assertThat(SharedMemoryNotFoundException.class.isAssignableFrom(SharedMemoryExistsException.class)).isFalse();
	}

	@Test
	void toStringIsPythonsRepr() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, 512));
		assertThat(block).hasToString("SharedMemory('" + name + "', size=512)");
		block.close();
		assertThat(block).hasToString("SharedMemory('" + name + "', size=512)");
		SharedMemory generated = this.cleanup.create(4096);
		assertThat(generated.toString()).matches("SharedMemory\\('psm_[0-9a-f]{8}', size=4096\\)");
	}

	@ParameterizedTest
	@ValueSource(longs = { 0, -1, -512, Long.MIN_VALUE })
	void createRefusesASizeThatIsNotPositive(long size, @TempDir Path directory) throws Exception {
		SharedMemoryDirectory blocks = SharedMemoryDirectory.of(directory);
		assertThatIllegalArgumentException().isThrownBy(() -> blocks.create(size))
			.withMessage("Shared memory block size must be positive, was " + size);
		assertThatIllegalArgumentException().isThrownBy(() -> blocks.create("blk", size))
			.withMessageContaining(Long.toString(size));
		try (var files = Files.list(directory)) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void dataAccessAfterCloseThrowsNamingTheBlock() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, 64));
		block.close();
		assertThatIllegalStateException().isThrownBy(block::buf)
			.withMessage("Shared memory block '" + name + "' is closed");
		assertThatIllegalStateException().isThrownBy(() -> block.buf(0, 8)).withMessageContaining(name);
		assertThat(block.name()).isEqualTo(name);
		assertThat(block.size()).isEqualTo(64);
		assertThat(block.directory().path()).isEqualTo(this.shm.path());
	}

	@Test
	void unlinkAfterCloseWorks() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = SharedMemory.create(name, 64);
		block.close();
		block.unlink();
		assertThat(this.shm.exists(name)).isFalse();
	}

	@Test
	void manyBlocksCanBeOpenAtOnce() {
		List<SharedMemory> blocks = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			SharedMemory block = this.cleanup.create(4096);
			block.buf().putInt(0, i);
			blocks.add(block);
		}
		for (int i = 0; i < blocks.size(); i++) {
			try (SharedMemory attached = SharedMemory.attach(blocks.get(i).name())) {
				assertThat(attached.buf().getInt(0)).isEqualTo(i);
			}
		}
	}

	@Test
	void aBlockUpToTheLargestBufferIsOneBufferAndALargerOneIsReachedThroughWindows(
			@TempDir(factory = InDevShm.class) Path path) throws Exception {
		SharedMemoryDirectory directory = SharedMemoryDirectory.of(path);
		// Sparse files: no page of them is touched.
		try (SharedMemory largest = directory.attach(sparse(path.resolve("largest"), SharedMemory.MAX_BUFFER_BYTES))) {
			assertThat(largest.buf().capacity()).isEqualTo(SharedMemory.MAX_BUFFER_BYTES);
		}
		try (SharedMemory larger = directory
			.attach(sparse(path.resolve("larger"), SharedMemory.MAX_BUFFER_BYTES + 1L))) {
			assertThatIllegalStateException().isThrownBy(larger::buf)
				.withMessage("Shared memory block 'larger' is " + (SharedMemory.MAX_BUFFER_BYTES + 1L)
						+ " bytes, more than one ByteBuffer can address (" + SharedMemory.MAX_BUFFER_BYTES
						+ "); use buf(offset, length) for a window of it");
			assertThat(larger.buf(1, SharedMemory.MAX_BUFFER_BYTES).capacity())
				.isEqualTo(SharedMemory.MAX_BUFFER_BYTES);
			assertThatIllegalArgumentException().isThrownBy(() -> larger.buf(0, SharedMemory.MAX_BUFFER_BYTES + 1))
				.withMessage("A window of shared memory block 'larger' is at most " + SharedMemory.MAX_BUFFER_BYTES
						+ " bytes, asked for " + (SharedMemory.MAX_BUFFER_BYTES + 1));
		}
	}

	private static String sparse(Path file, long size) throws IOException {
		try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
			sparse.setLength(size);
		}
		return file.getFileName().toString();
	}

}
