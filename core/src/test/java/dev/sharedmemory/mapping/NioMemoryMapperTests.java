package dev.sharedmemory.mapping;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

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
