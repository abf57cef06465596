package dev.sharedmemory.mapping;

import java.io.RandomAccessFile;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link NioMemoryMapper}: whole mappings for blocks up to 2 GiB, windows for
 * larger ones.
 */
class NioMemoryMapperTests {

	private static final long LARGE = 3L << 30;

	private final NioMemoryMapper mapper = new NioMemoryMapper();

	@TempDir
	Path directory;

	@Test
	void nameIsNio() {
		assertThat(this.mapper.name()).isEqualTo("nio");
	}

	@Test
	void smallBlockIsMappedWholeAndItsChannelClosedAtOnce() throws Exception {
		Path file = file("small", 4096);
		FileChannel channel = open(file);
		MappedRegion region = this.mapper.map(channel, 4096);
		assertThat(channel.isOpen()).isFalse();
		ByteBuffer whole = region.slice(0, 4096);
		assertThat(whole.order()).isEqualTo(ByteOrder.nativeOrder());
		assertThat(whole.capacity()).isEqualTo(4096);
		whole.put(0, (byte) 'J');
		ByteBuffer window = region.slice(4000, 96);
		assertThat(window.position()).isZero();
		assertThat(window.limit()).isEqualTo(96);
		window.put(95, (byte) 'Z');
		assertThat(Files.readAllBytes(file)).startsWith((byte) 'J').endsWith((byte) 'Z');
		region.release();
		// The JDK unmaps only once every view is unreachable: views handed out before
		// release stay usable.
		whole.put(1, (byte) 'V');
		assertThat(Files.readAllBytes(file)[1]).isEqualTo((byte) 'V');
	}

	@Test
	void largeBlockIsMappedWindowByWindowThroughItsChannelUntilRelease() throws Exception {
		Path file = file("large", LARGE);
		FileChannel channel = open(file);
		MappedRegion region = this.mapper.map(channel, LARGE);
		assertThat(channel.isOpen()).isTrue();
		ByteBuffer last = region.slice(LARGE - 8, 8);
		assertThat(last.order()).isEqualTo(ByteOrder.nativeOrder());
		last.putLong(0, 77L);
		assertThat(region.slice(LARGE - 16, 16).getLong(8)).isEqualTo(77L);
		region.release();
		assertThat(channel.isOpen()).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> region.slice(0, 8));
		last.putLong(0, 78L);
		assertThat(last.getLong(0)).isEqualTo(78L);
	}

	@Test
	void aBlockOfExactlyTheLargestBufferIsStillMappedWhole() throws Exception {
		FileChannel channel = open(file("edge", Integer.MAX_VALUE));
		MappedRegion region = this.mapper.map(channel, Integer.MAX_VALUE);
		assertThat(channel.isOpen()).isFalse();
		assertThat(region.slice(0, 8).capacity()).isEqualTo(8);
		region.release();
	}

	@Test
	void aLargeBlockHasItsWholeSizeBeforeAnyWindowAndKeepsItsLastByte() throws Exception {
		// Another process attaching before the first window is mapped sees the whole
		// block.
		Path growing = file("growing", 4096);
		MappedRegion grown = this.mapper.map(open(growing), LARGE);
		assertThat(Files.size(growing)).isEqualTo(LARGE);
		grown.release();
		// A file as large already is not written to.
		Path full = file("full", LARGE);
		try (FileChannel channel = open(full)) {
			channel.write(ByteBuffer.wrap(new byte[] { 0x7f }), LARGE - 1);
		}
		MappedRegion region = this.mapper.map(open(full), LARGE);
		assertThat(region.slice(LARGE - 1, 1).get(0)).isEqualTo((byte) 0x7f);
		region.release();
		assertThat(Files.size(full)).isEqualTo(LARGE);
	}

	@Test
	void eachWindowCountsAsOneMoreMappingWaitingForTheCollector() throws Exception {
		MappedRegion region = this.mapper.map(open(file("large", LARGE)), LARGE);
		List<ByteBuffer> windows = new ArrayList<>();
		try {
			// Counted in the JVM's backlog, which a collection elsewhere may count down
			// meanwhile: tried until nothing else moved it.
			await().atMost(Duration.ofSeconds(10)).until(() -> {
				long before = UnmapBacklog.get().waitingCount();
				windows.add(region.slice(LARGE - 8, 8));
				return UnmapBacklog.get().waitingCount() == before + 1;
			});
		}
		finally {
			region.release();
		}
	}

	@Test
	void interruptedCallerGetsItsWindowKeepsItsInterruptAndLeavesTheChannelOpen() throws Exception {
		FileChannel channel = open(file("large", LARGE));
		MappedRegion region = this.mapper.map(channel, LARGE);
		try {
			Thread.currentThread().interrupt();
			try {
				region.slice(LARGE - 8, 8).putLong(0, 5L);
				assertThat(Thread.currentThread().isInterrupted()).isTrue();
			}
			finally {
				Thread.interrupted();
			}
			assertThat(channel.isOpen()).isTrue();
			assertThat(region.slice(LARGE - 8, 8).getLong(0)).isEqualTo(5L);
		}
		finally {
			region.release();
		}
	}

	@Test
	void releaseWhileAnotherThreadMapsWindowsEndsItWithIllegalState() throws Exception {
		FileChannel channel = open(file("large", LARGE));
		MappedRegion region = this.mapper.map(channel, LARGE);
		CountDownLatch mapping = new CountDownLatch(1);
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try {
			Future<IllegalStateException> user = executor.submit(() -> {
				long offset = 0;
				try {
					while (true) {
						region.slice(offset, 4096).put(0, (byte) 1);
						offset = (offset + (1L << 30)) % LARGE;
						mapping.countDown();
					}
				}
				catch (IllegalStateException ex) {
					return ex;
				}
			});
			mapping.await();
			region.release();
			assertThat(user.get(1, TimeUnit.MINUTES)).isNotNull();
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void aBlockOrWindowIsRefusedWhileTheBacklogIsFull() throws Exception {
		// The smallest backlog, 64 mappings, full of mappings that stay reachable: the
		// collector cannot make room, so each new mapping is refused after its wait.
		UnmapBacklog full = new UnmapBacklog(0, Long.MAX_VALUE);
		NioMemoryMapper mapper = new NioMemoryMapper(full);
		MappedRegion large = mapper.map(open(file("large", LARGE)), LARGE);
		List<Object> held = new ArrayList<>();
		try {
			while (full.waitingCount() < full.countLimit()) {
				Object owner = new Object();
				held.add(owner);
				full.register(owner, 0).released();
			}
			try (FileChannel small = open(file("small", 4096))) {
				assertThatIllegalStateException().isThrownBy(() -> mapper.map(small, 4096))
					.withMessageStartingWith("64 mappings of closed shared memory blocks wait");
			}
			assertThatIllegalStateException().isThrownBy(() -> large.slice(LARGE - 8, 8))
				.withMessageStartingWith("64 mappings of closed shared memory blocks wait");
		}
		finally {
			large.release();
			Reference.reachabilityFence(held);
		}
	}

	private Path file(String name, long size) throws Exception {
		Path file = this.directory.resolve(name);
		try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
			sparse.setLength(size);
		}
		return file;
	}

	private static FileChannel open(Path file) throws Exception {
		return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
	}

}
