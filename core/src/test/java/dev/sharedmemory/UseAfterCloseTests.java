package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.sharedmemory.mapping.MemoryMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests that using a block after {@link SharedMemory#close()} is refused by the API and
 * never crashes the JVM, and what a view kept from before the close gets, as
 * {@link SharedMemory}'s Javadoc states it.
 */
class UseAfterCloseTests {

	private static final long LARGE = 3L << 30;

	// The smallest block that the foreign memory mapping unmaps on close.
	private static final int PROMPT = 16 << 20;

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private final SharedMemoryDirectory shm = SharedMemoryDirectory.defaultDirectory();

	@Test
	void apiAccessToTheDataThrowsAfterClose() {
		SharedMemory block = this.cleanup.create(64);
		block.close();
		assertThat(block.isClosed()).isTrue();
		assertThatIllegalStateException().isThrownBy(block::buf).withMessageContaining(block.name());
		assertThatIllegalStateException().isThrownBy(() -> block.buf(0, 1)).withMessageContaining(block.name());
	}

	@ParameterizedTest
	@ValueSource(longs = { 64, PROMPT - 4096, PROMPT })
	void retainedViewAfterCloseBehavesAsTheImplementationStates(long size) {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = this.cleanup.track(SharedMemory.create(name, size));
		ByteBuffer retained = block.buf();
		ByteBuffer retainedWindow = block.buf(8, 8);
		block.close();
		assertThatIllegalStateException().isThrownBy(block::buf);
		if (MemoryMapper.best().unmapsOnRelease(size)) {
			// JDK 22+, 16 MiB or more: close unmapped the block; a retained view fails
			// instead of reaching freed memory.
			assertThatIllegalStateException().isThrownBy(() -> retained.getLong(0));
			assertThatIllegalStateException().isThrownBy(() -> retained.putLong(0, 42L));
			assertThatIllegalStateException().isThrownBy(() -> retainedWindow.getLong(0));
			try (SharedMemory attached = SharedMemory.attach(name)) {
				assertThat(attached.buf().getLong(0)).isZero();
			}
		}
		else {
			// The mapping goes once the collector finds no view of it, so the retained
			// view still reaches the block, and another handle sees what it writes.
			retained.putLong(0, 42L);
			retainedWindow.putLong(0, 43L);
			try (SharedMemory attached = SharedMemory.attach(name)) {
				assertThat(attached.buf().getLong(0)).isEqualTo(42L);
				assertThat(attached.buf().getLong(8)).isEqualTo(43L);
				attached.buf().putLong(16, 44L);
			}
			assertThat(retained.getLong(16)).isEqualTo(44L);
			block.unlink();
			retained.putLong(24, 45L);
			assertThat(retained.getLong(24)).isEqualTo(45L);
		}
	}

	@Test
	void retainedWindowOfALargeBlockBehavesAsTheImplementationStates() {
		SharedMemoryDirectory sparse = this.shm.withPageReservation(false);
		String name = this.cleanup.newName(sparse);
		SharedMemory block = this.cleanup.track(sparse.create(name, LARGE));
		ByteBuffer retained = block.buf(LARGE - 8, 8);
		block.close();
		assertThatIllegalStateException().isThrownBy(() -> block.buf(LARGE - 8, 8));
		if (MemoryMapper.best().unmapsOnRelease(LARGE)) {
			assertThatIllegalStateException().isThrownBy(() -> retained.putLong(0, 7L));
			try (SharedMemory attached = sparse.attach(name)) {
				assertThat(attached.buf(LARGE - 8, 8).getLong(0)).isZero();
			}
		}
		else {
			retained.putLong(0, 7L);
			try (SharedMemory attached = SharedMemory.attach(name)) {
				assertThat(attached.buf(LARGE - 8, 8).getLong(0)).isEqualTo(7L);
			}
		}
	}

	@Test
	void closingWhileOtherThreadsUseTheBlockOnlyEverEndsTheirAccessWithIllegalState() throws Exception {
		SharedMemory block = this.cleanup.create(4096);
		int threads = 4;
		CountDownLatch running = new CountDownLatch(threads);
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<Long>> readers = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				readers.add(executor.submit(() -> {
					long reads = 0;
					try {
						while (true) {
							ByteBuffer buf = block.buf();
							buf.putLong(0, buf.getLong(0) + 1);
							if (reads++ == 0) {
								running.countDown();
							}
						}
					}
					catch (IllegalStateException ex) {
						// Ours from buf(), or (ffm) the JDK's from a view whose mapping
						// was just released.
						assertThat(ex.getMessage()).containsAnyOf("is closed", "Already closed");
						return reads;
					}
				}));
			}
			running.await();
			block.close();
			for (Future<Long> reader : readers) {
				assertThat(reader.get(1, TimeUnit.MINUTES)).isPositive();
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void unlinkAfterCloseWorksAndASecondOneFails() {
		String name = this.cleanup.newName(this.shm);
		SharedMemory block = SharedMemory.create(name, 64);
		block.close();
		block.unlink();
		assertThat(this.shm.exists(name)).isFalse();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(block::unlink)
			.withMessageContaining(name);
		assertThat(block).hasToString("SharedMemory('" + name + "', size=64)");
	}

}
