package dev.sharedmemory;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sharedmemory.ProcessMappings.Mapping;
import dev.sharedmemory.mapping.MemoryMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * When a block's mapping goes away, proved on whichever implementation runs ({@code ffm}
 * on JDK 22 and later, {@code nio} before) from the kernel's account of this process's
 * mappings and of the tmpfs: the foreign memory one unmaps a block of 16 MiB or more on
 * close and turns every later access into {@link IllegalStateException}; otherwise the
 * memory stays mapped, and usable, until the garbage collector finds it unreachable, and
 * the library asks for that collection itself once closed blocks hold enough.
 */
class MappingReleaseTests {

	private static final int MIB = 1 << 20;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final SharedMemoryDirectory directory = SharedMemoryDirectory.defaultDirectory();

	// The smallest block that the foreign memory mapping unmaps on close.
	private static final int PROMPT = 16 * MIB;

	private final boolean ffm = MemoryMapper.best().unmapsOnRelease(PROMPT);

	private final List<String> names = new ArrayList<>();

	@AfterEach
	void removeBlocks() throws IOException {
		for (String name : this.names) {
			Files.deleteIfExists(this.directory.path().resolve(name));
		}
	}

	@Test
	void closeUnmapsAtOnceOnFfmAndKeepsAKeptBufferWorkingOnNio() {
		SharedMemory block = create(this.directory, PROMPT);
		Path file = fileOf(block);
		ByteBuffer kept = block.buf();
		kept.putLong(0, 42);
		assertThat(ProcessMappings.of(file)).isNotEmpty();
		block.close();
		assertThatIllegalStateException().isThrownBy(block::buf).withMessageContaining(block.name());
		assertThatIllegalStateException().isThrownBy(() -> block.buf(0, 8)).withMessageContaining(block.name());
		if (this.ffm) {
			assertThat(ProcessMappings.of(file)).isEmpty();
			assertThatIllegalStateException().isThrownBy(() -> kept.getLong(0));
			assertThatIllegalStateException().isThrownBy(() -> kept.putLong(8, 7));
		}
		else {
			assertThat(ProcessMappings.of(file)).isNotEmpty();
			kept.putLong(8, 7);
			try (SharedMemory other = this.directory.attach(block.name())) {
				assertThat(other.buf().getLong(0)).isEqualTo(42);
				assertThat(other.buf().getLong(8)).isEqualTo(7);
			}
		}
	}

	@Test
	void manyLargeBlocksGiveTheirMemoryBackOnCloseAndUnlink() throws IOException {
		int count = 50;
		long blockSize = 64L * MIB;
		FileStore tmpfs = Files.getFileStore(this.directory.path());
		long mappedBefore = ProcessMappings.bytesMappedFrom(this.directory.path());
		long usedBefore = used(tmpfs);
		// Other processes may use the same tmpfs meanwhile: half of what the blocks took
		// is the line between kept and given back.
		long margin = count * blockSize / 2;
		List<SharedMemory> closed = new ArrayList<>();
		List<Path> files = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			SharedMemory block = create(this.directory, blockSize);
			block.buf(blockSize - 8, 8).putLong(0, i);
			block.close();
			block.unlink();
			closed.add(block);
			files.add(fileOf(block));
		}
		if (this.ffm) {
			// No garbage collection asked for, and every block still reachable: nothing
			// is left mapped.
			assertThat(ProcessMappings.bytesMapping(files)).isZero();
			assertThat(ProcessMappings.bytesMappedFrom(this.directory.path())).isEqualTo(mappedBefore);
			assertThat(used(tmpfs)).isLessThan(usedBefore + margin);
			Reference.reachabilityFence(closed);
		}
		else {
			// The closed handles stay referenced: they must not pin their mappings once
			// the collector runs, which the library asks for itself, nobody else here.
			await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
				assertThat(ProcessMappings.bytesMapping(files)).isZero();
				assertThat(ProcessMappings.bytesMappedFrom(this.directory.path())).isLessThanOrEqualTo(mappedBefore);
				assertThat(used(tmpfs)).isLessThan(usedBefore + margin);
			});
			Reference.reachabilityFence(closed);
		}
	}

	@Test
	void aLargeBlockGivesItsMemoryBackAfterCloseAndUnlinkWithoutTheCallerCollecting() throws IOException {
		long size = 256L * MIB;
		FileStore tmpfs = Files.getFileStore(this.directory.path());
		long usedBefore = used(tmpfs);
		SharedMemory block = create(this.directory, size);
		fill(block);
		// Other processes may use the same tmpfs meanwhile: half the block is the line
		// between held and given back.
		assertThat(used(tmpfs)).isGreaterThan(usedBefore + size / 2);
		block.close();
		block.unlink();
		if (this.ffm) {
			// Unmapped by close: the unlink frees the pages before it returns.
			assertThat(used(tmpfs)).isLessThan(usedBefore + size / 2);
		}
		else {
			// Unmapped by the collection that the closed block's size made the library
			// ask for: nobody here asks for one.
			await().atMost(Duration.ofSeconds(30)).until(() -> used(tmpfs) < usedBefore + size / 2);
		}
	}

	@Test
	void readersRacingCloseSeeTheDataOrIllegalStateExceptionAndNothingElse() throws Exception {
		int size = PROMPT;
		int readers = 4;
		SharedMemory block = create(this.directory, size);
		ByteBuffer fill = block.buf();
		for (int i = 0; i < size; i += Long.BYTES) {
			fill.putLong(i, i);
		}
		CountDownLatch reading = new CountDownLatch(readers);
		AtomicBoolean stop = new AtomicBoolean();
		AtomicIntegerArray passesAfterClose = new AtomicIntegerArray(readers);
		ExecutorService pool = Executors.newFixedThreadPool(readers);
		try {
			List<Future<Throwable>> outcomes = new ArrayList<>();
			for (int r = 0; r < readers; r++) {
				int reader = r;
				ByteBuffer kept = block.buf();
				outcomes.add(pool.submit(() -> {
					try {
						while (!stop.get()) {
							boolean closedBefore = block.isClosed();
							for (int i = 0; i < size; i += Long.BYTES) {
								long value = kept.getLong(i);
								if (value != i) {
									return new AssertionError("Read " + value + " at " + i);
								}
							}
							reading.countDown();
							if (closedBefore) {
								passesAfterClose.incrementAndGet(reader);
							}
						}
						return null;
					}
					catch (Throwable ex) {
						return ex;
					}
				}));
			}
			assertThat(reading.await(1, TimeUnit.MINUTES)).isTrue();
			block.close();
			if (!this.ffm) {
				await().atMost(Duration.ofMinutes(1)).until(() -> allPositive(passesAfterClose));
				stop.set(true);
			}
			for (Future<Throwable> outcome : outcomes) {
				Throwable failure = outcome.get(1, TimeUnit.MINUTES);
				if (this.ffm) {
					assertThat(failure).isInstanceOf(IllegalStateException.class);
				}
				else {
					assertThat(failure).isNull();
				}
			}
		}
		finally {
			stop.set(true);
			pool.shutdown();
			assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
		}
	}

	@Test
	void closeWhileAnotherThreadWritesABufferToAChannel() throws Exception {
		int size = PROMPT;
		SharedMemory block = create(this.directory, size);
		byte[] content = new byte[size];
		RANDOM.nextBytes(content);
		block.buf().put(content);
		Pipe pipe = Pipe.open();
		ExecutorService writer = Executors.newSingleThreadExecutor();
		try {
			// A pipe holds far less than the block: the write blocks inside the JDK until
			// the pipe is drained.
			Future<Integer> written = writer.submit(() -> pipe.sink().write(block.buf()));
			ByteBuffer received = ByteBuffer.allocate(size);
			pipe.source().read(received);
			if (this.ffm) {
				assertThatIllegalStateException().isThrownBy(block::close)
					.withMessageContaining(block.name())
					.withMessageContaining("I/O operation");
				assertThat(block.isClosed()).isFalse();
			}
			else {
				block.close();
			}
			while (received.hasRemaining()) {
				pipe.source().read(received);
			}
			assertThat(written.get(1, TimeUnit.MINUTES)).isEqualTo(size);
			assertThat(received.array()).isEqualTo(content);
			block.close();
			assertThat(block.isClosed()).isTrue();
			if (this.ffm) {
				assertThat(ProcessMappings.of(fileOf(block))).isEmpty();
			}
		}
		finally {
			pipe.sink().close();
			pipe.source().close();
			writer.shutdownNow();
		}
	}

	@Test
	void blockLargerThanAByteBufferIsOneMappingOnFfmAndMappedByWindowOnNio() {
		long size = (2L << 30) + MIB;
		// Not reserved: tmpfs allocates only the pages the test touches.
		SharedMemoryDirectory sparse = this.directory.withPageReservation(false);
		SharedMemory block = create(sparse, size);
		try {
			ByteBuffer tail = block.buf(size - 8, 8).putLong(0, 0x1122334455667788L);
			ByteBuffer head = block.buf(0, 8).putLong(0, 0x0102030405060708L);
			List<Mapping> mappings = ProcessMappings.of(fileOf(block));
			if (this.ffm) {
				assertThat(mappings).singleElement().extracting(Mapping::length).isEqualTo(size);
			}
			else {
				// One small mapping per window, two of them at least while the views are
				// reachable.
				assertThat(mappings).hasSizeGreaterThanOrEqualTo(2)
					.allSatisfy((mapping) -> assertThat(mapping.length()).isLessThan(MIB));
			}
			Reference.reachabilityFence(tail);
			Reference.reachabilityFence(head);
			assertThatIllegalStateException().isThrownBy(block::buf).withMessageContaining("buf(offset, length)");
			try (SharedMemory other = sparse.attach(block.name())) {
				assertThat(other.buf(size - 8, 8).getLong(0)).isEqualTo(0x1122334455667788L);
				assertThat(other.buf(0, 8).getLong(0)).isEqualTo(0x0102030405060708L);
			}
		}
		finally {
			block.close();
		}
	}

	private SharedMemory create(SharedMemoryDirectory in, long size) {
		String name = InDevShm.blockName();
		this.names.add(name);
		return in.create(name, size);
	}

	private static void fill(SharedMemory block) {
		ByteBuffer buf = block.buf();
		while (buf.remaining() >= Long.BYTES) {
			buf.putLong(buf.position());
		}
	}

	private Path fileOf(SharedMemory block) {
		return block.directory().path().resolve(block.name());
	}

	private static long used(FileStore store) throws IOException {
		return store.getTotalSpace() - store.getUnallocatedSpace();
	}

	private static boolean allPositive(AtomicIntegerArray counts) {
		for (int i = 0; i < counts.length(); i++) {
			if (counts.get(i) == 0) {
				return false;
			}
		}
		return true;
	}

}
