package dev.sharedmemory;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The cases of CPython's {@code _TestSharedMemory}
 * ({@code Lib/test/_test_multiprocessing.py}, 3.13) that apply to {@link SharedMemory} in
 * Java, one test per CPython test, in {@code /dev/shm} as there.
 * <p>
 * Elsewhere: {@code test_shared_memory_across_processes} is {@link CrossProcessTests};
 * {@code test_shared_memory_SharedMemoryManager_basics} is
 * {@link SharedMemoryManagerTests#shutdownUnlinksEveryBlockTheManagerCreated()} (its
 * {@code ShareableList} half waits for {@code ShareableList}). Not applicable: the
 * {@code ShareableList} tests, the resource tracker tests (Java tracks nothing, so a
 * block outlives a process that exits without unlinking, as {@link CrossProcessTests}
 * shows), the manager server's signal handling (no server process), and the
 * {@code O_CREAT}-without-{@code O_EXCL} subclass in {@code test_shared_memory_basics}
 * (no such mode in the API).
 */
class CPythonSharedMemoryTests {

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private final SharedMemoryDirectory shm = SharedMemoryDirectory.defaultDirectory();

	@Test
	void sharedMemoryNameWithEmbeddedNull() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, 512));
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.attach(name + "\0a"))
			.withMessageContaining("NUL");
		assertThatIllegalArgumentException().isThrownBy(() -> this.shm.unlink(name + "\0a"));
		assertThat(block.buf().capacity()).isEqualTo(512);
		assertThat(this.shm.exists(name)).isTrue();
	}

	@Test
	void sharedMemoryBasics() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory sms = this.cleanup.track(SharedMemory.create(name, 512));

		// Attributes are readable; size is exact on Linux.
		assertThat(sms.name()).isEqualTo(name);
		assertThat(sms.size()).isEqualTo(512);
		assertThat(sms.buf().capacity()).isEqualTo(512);

		// The repr names the block and its size.
		assertThat(sms.toString()).contains(name).contains("512");

		// Modify the contents through the buffer.
		sms.buf().put(0, (byte) 42);
		assertThat(sms.buf().get(0)).isEqualTo((byte) 42);

		// Attach to the existing block.
		try (SharedMemory alsoSms = SharedMemory.attach(name)) {
			assertThat(alsoSms.buf().get(0)).isEqualTo((byte) 42);
		}

		// Attaching takes the size from the block (CPython ignores a size passed on
		// attach; Java takes none).
		try (SharedMemory sameSms = SharedMemory.attach(name)) {
			assertThat(sameSms.size()).isEqualTo(sms.size());
		}

		// A negative size is refused.
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.create(-2));

		// Attaching without a name is refused.
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.attach(null));

		// A generated name that is taken is replaced by the next one.
		String taken = this.cleanup.newName(this.shm);
		String next = this.cleanup.newName(this.shm);
		SharedMemory shm1 = this.cleanup.track(this.shm.create(1, List.of(taken, next).iterator()::next));
		assertThat(shm1.name()).isEqualTo(taken);
		SharedMemory shm2 = this.cleanup.track(this.shm.create(1, List.of(taken, next).iterator()::next));
		assertThat(shm2.name()).isEqualTo(next);

		// POSIX shared memory can only be unlinked once.
		String doubleUnlink = this.cleanup.newName(this.shm);
		SharedMemory smsUno = SharedMemory.create(doubleUnlink, 5000);
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> {
			try {
				assertThat(smsUno.size()).isEqualTo(5000);
				SharedMemory smsDuo = SharedMemory.attach(doubleUnlink);
				smsDuo.unlink();
				smsDuo.close();
				smsUno.close();
			}
			finally {
				smsUno.unlink();
			}
		});

		// Creating a block under a name in use fails.
		assertThatExceptionOfType(SharedMemoryExistsException.class).isThrownBy(() -> SharedMemory.create(name, 512));

		// Attaching to a name that does not exist fails.
		String notThere = this.cleanup.newName(this.shm);
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> SharedMemory.attach(notThere));

		sms.close();
	}

	@Test
	void sharedMemoryRecreate() {
		String first = this.cleanup.newName(this.shm);
		String second = this.cleanup.newName(this.shm);
		Iterator<String> names = List.of(first, second).iterator();
		SharedMemory shm1 = this.cleanup.track(this.shm.create(1, names::next));
		assertThat(shm1.name()).isEqualTo(first);
		names = List.of(first, second).iterator();
		SharedMemory shm2 = this.cleanup.track(this.shm.create(1, names::next));
		assertThat(shm2.name()).isEqualTo(second);
	}

	@Test
	void invalidSharedMemoryCreation() {
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.create(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.create(0));
		String name = this.cleanup.newName(this.shm);
		assertThatIllegalArgumentException().isThrownBy(() -> SharedMemory.create(name, 0));
		assertThat(this.shm.exists(name)).isFalse();
	}

	/**
	 * {@code test_shared_memory_pickle_unpickle}: a pickled block is its name and size,
	 * unpickled by attaching. In Java a second handle by name is the same block, both
	 * ways.
	 */
	@Test
	void sharedMemoryReattachByName() {
		SharedMemory sms = this.cleanup.create(512);
		sms.buf().put(0, "pickle".getBytes(StandardCharsets.US_ASCII));
		SharedMemory sms2 = this.cleanup.track(SharedMemory.attach(sms.name()));
		assertThat(sms2.name()).isEqualTo(sms.name());
		assertThat(sms2.size()).isEqualTo(sms.size());
		assertThat(read(sms, 6)).isEqualTo("pickle");
		assertThat(read(sms2, 6)).isEqualTo("pickle");
		sms.buf().put(0, "newval".getBytes(StandardCharsets.US_ASCII));
		assertThat(read(sms2, 6)).isEqualTo("newval");
		sms2.buf().put(0, "oldval".getBytes(StandardCharsets.US_ASCII));
		assertThat(read(sms, 6)).isEqualTo("oldval");
	}

	/**
	 * {@code test_shared_memory_pickle_unpickle_dead_object}: once closed and unlinked,
	 * the name leads nowhere.
	 */
	@Test
	void sharedMemoryReattachToADeadBlock() {
		SharedMemory sms = this.cleanup.create(512);
		sms.buf().put(0, "pickle".getBytes(StandardCharsets.US_ASCII));
		sms.close();
		sms.unlink();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class)
			.isThrownBy(() -> SharedMemory.attach(sms.name()));
	}

	private static String read(SharedMemory block, int length) {
		byte[] bytes = new byte[length];
		block.buf().get(0, bytes);
		return new String(bytes, StandardCharsets.US_ASCII);
	}

}
