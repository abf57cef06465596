package dev.sharedmemory.autoconfigure.actuate;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.BlockDescriptor;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.SharedMemoryDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SharedMemoryEndpoint} and {@link SharedMemoryEndpointWebExtension}.
 */
class SharedMemoryEndpointTests {

	@TempDir
	Path directory;

	private SharedMemoryManager manager;

	private SharedMemoryEndpoint endpoint;

	@BeforeEach
	void startManager() {
		this.manager = SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(this.directory)).build();
		this.manager.start();
		this.endpoint = new SharedMemoryEndpoint(this.manager);
	}

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
	}

	@Test
	void listsNothingAtFirstButTheDirectory() {
		SharedMemoryDescriptor descriptor = this.endpoint.sharedMemory();
		assertThat(descriptor.count()).isZero();
		assertThat(descriptor.totalBytes()).isZero();
		assertThat(descriptor.blocks()).isEmpty();
		assertThat(descriptor.directory().path()).isEqualTo(this.directory.toAbsolutePath().toString());
		assertThat(descriptor.directory().totalBytes()).isPositive();
		assertThat(descriptor.directory().usableBytes()).isPositive()
			.isLessThanOrEqualTo(descriptor.directory().totalBytes());
	}

	@Test
	void listsTheBlocksTheManagerCreatedOldestFirst() {
		Instant before = Instant.now();
		SharedMemory first = this.manager.sharedMemory(100);
		SharedMemory second = this.manager.sharedMemory(4096);
		SharedMemoryDescriptor descriptor = this.endpoint.sharedMemory();
		assertThat(descriptor.count()).isEqualTo(2);
		assertThat(descriptor.totalBytes()).isEqualTo(4196);
		assertThat(descriptor.blocks()).extracting(BlockDescriptor::name).containsExactly(first.name(), second.name());
		BlockDescriptor block = descriptor.blocks().get(0);
		assertThat(block.size()).isEqualTo(100);
		assertThat(block.kind()).isEqualTo("SharedMemory");
		assertThat(block.createdAt()).isBetween(before, Instant.now());
		assertThat(block.length()).isNull();
		assertThat(block.format()).isNull();
	}

	@Test
	void describesOneBlock() {
		SharedMemory block = this.manager.sharedMemory(64);
		BlockDescriptor descriptor = this.endpoint.block(block.name());
		assertThat(descriptor.name()).isEqualTo(block.name());
		assertThat(descriptor.size()).isEqualTo(64);
		assertThat(descriptor.kind()).isEqualTo("SharedMemory");
		assertThat(this.endpoint.block("/" + block.name())).isEqualTo(descriptor);
	}

	@Test
	void describesAShareableListWithItsLengthAndFormat() {
		ShareableList list = this.manager.shareableList(Arrays.asList("howdy", 42L, 3.5, true, null));
		BlockDescriptor descriptor = this.endpoint.block(list.shm().name());
		assertThat(descriptor.kind()).isEqualTo("ShareableList");
		assertThat(descriptor.size()).isEqualTo(list.shm().size());
		assertThat(descriptor.length()).isEqualTo(5);
		assertThat(descriptor.format()).isEqualTo(list.format()).startsWith("8sqd");
		assertThat(this.endpoint.sharedMemory().blocks()).containsExactly(descriptor);
		assertThat(this.endpoint.unlink(list.shm().name())).isEqualTo(descriptor);
		assertThat(this.directory.resolve(list.shm().name())).doesNotExist();
	}

	@Test
	void knowsNothingOfABlockItDidNotCreate() {
		try (SharedMemory outsider = this.manager.directory().create("outsider", 64)) {
			assertThat(this.endpoint.block("outsider")).isNull();
			assertThat(this.endpoint.unlink("outsider")).isNull();
			assertThat(this.directory.resolve("outsider")).exists();
			assertThat(this.endpoint.sharedMemory().blocks()).isEmpty();
		}
		finally {
			this.manager.directory().unlink("outsider");
		}
	}

	@Test
	void unlinksABlockItCreatedAndForgetsIt() {
		SharedMemory block = this.manager.sharedMemory(64);
		BlockDescriptor unlinked = this.endpoint.unlink(block.name());
		assertThat(unlinked.name()).isEqualTo(block.name());
		assertThat(unlinked.size()).isEqualTo(64);
		assertThat(this.directory.resolve(block.name())).doesNotExist();
		assertThat(this.endpoint.block(block.name())).isNull();
		assertThat(this.endpoint.unlink(block.name())).isNull();
		assertThat(this.endpoint.sharedMemory().count()).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "..", ".", "/..", "../etc/passwd", "a/b", "nul\0byte", "\0" })
	void refusesInvalidNamesBeforeLookingThemUp(String name) {
		assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(() -> this.endpoint.block(name))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo("Invalid shared memory block name"));
		assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(() -> this.endpoint.unlink(name));
		assertThat(this.directory.getParent()).exists();
	}

	@Test
	void refusesNamesLongerThanTheSystemAllows() {
		String name = "x".repeat(300);
		assertThatExceptionOfType(InvalidEndpointRequestException.class).isThrownBy(() -> this.endpoint.unlink(name))
			.withMessageContaining("300 bytes long");
	}

	@Test
	void webExtensionAnswersNoContentOrNotFound() {
		SharedMemoryEndpointWebExtension extension = new SharedMemoryEndpointWebExtension(this.endpoint);
		SharedMemory block = this.manager.sharedMemory(64);
		assertThat(extension.unlink(block.name()).getStatus()).isEqualTo(WebEndpointResponse.STATUS_NO_CONTENT);
		assertThat(extension.unlink(block.name()).getStatus()).isEqualTo(WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
