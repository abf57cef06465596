package dev.sharedmemory.autoconfigure.actuate;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.sharedmemory.BlockKind;
import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryOperation;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.BlockDescriptor;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.ManagerDescriptor;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.SharedMemoryDescriptor;
import dev.sharedmemory.ndarray.DType;
import dev.sharedmemory.ndarray.NDArray;
import dev.sharedmemory.ndarray.Order;
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
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;

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
		this.endpoint = new SharedMemoryEndpoint(Map.of("sharedMemoryManager", this.manager));
	}

	@AfterEach
	void shutdownManager() {
		this.manager.shutdown();
	}

	private ManagerDescriptor listed() {
		SharedMemoryDescriptor descriptor = this.endpoint.sharedMemory();
		assertThat(descriptor.managers()).containsOnlyKeys("sharedMemoryManager");
		return descriptor.managers().get("sharedMemoryManager");
	}

	@Test
	void listsNothingAtFirstButTheDirectory() {
		ManagerDescriptor descriptor = listed();
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
		ManagerDescriptor descriptor = listed();
		assertThat(descriptor.count()).isEqualTo(2);
		assertThat(descriptor.totalBytes()).isEqualTo(4196);
		assertThat(descriptor.blocks()).extracting(BlockDescriptor::name).containsExactly(first.name(), second.name());
		BlockDescriptor block = descriptor.blocks().get(0);
		assertThat(block.size()).isEqualTo(100);
		assertThat(block.kind()).isEqualTo("SharedMemory");
		assertThat(block.createdAt()).isBetween(before, Instant.now());
		assertThat(block.length()).isNull();
		assertThat(block.format()).isNull();
		assertThat(block.manager()).isNull();
	}

	@Test
	void describesOneBlock() {
		SharedMemory block = this.manager.sharedMemory(64);
		BlockDescriptor descriptor = this.endpoint.block(block.name(), null);
		assertThat(descriptor.name()).isEqualTo(block.name());
		assertThat(descriptor.size()).isEqualTo(64);
		assertThat(descriptor.kind()).isEqualTo("SharedMemory");
		assertThat(descriptor.manager()).isEqualTo("sharedMemoryManager");
		assertThat(this.endpoint.block("/" + block.name(), null)).isEqualTo(descriptor);
		assertThat(this.endpoint.block(block.name(), "sharedMemoryManager")).isEqualTo(descriptor);
		assertThat(this.endpoint.block(block.name(), "otherManager")).isNull();
	}

	@Test
	void describesAShareableListWithItsLengthAndFormat() {
		ShareableList list = this.manager.shareableList(Arrays.asList("howdy", 42L, 3.5, true, null));
		BlockDescriptor descriptor = this.endpoint.block(list.shm().name(), null);
		assertThat(descriptor.kind()).isEqualTo("ShareableList");
		assertThat(descriptor.size()).isEqualTo(list.shm().size());
		assertThat(descriptor.length()).isEqualTo(5);
		assertThat(descriptor.format()).isEqualTo(list.format()).startsWith("8sqd");
		assertThat(listed().blocks()).singleElement()
			.usingRecursiveComparison()
			.ignoringFields("manager")
			.isEqualTo(descriptor);
		assertThat(this.endpoint.unlink(list.shm().name(), null)).isEqualTo(descriptor);
		assertThat(this.directory.resolve(list.shm().name())).doesNotExist();
	}

	@Test
	void describesAnNDArrayWithItsDtypeShapeAndOrder() {
		NDArray array = this.manager.ndarray(DType.FLOAT64.withByteOrder(ByteOrder.BIG_ENDIAN), Order.F, 480, 640);
		BlockDescriptor descriptor = this.endpoint.block(array.shm().name(), null);
		assertThat(descriptor.kind()).isEqualTo("NDArray");
		assertThat(descriptor.size()).isEqualTo(array.shm().size()).isEqualTo(128 + 480 * 640 * 8);
		assertThat(descriptor.dtype()).isEqualTo(">f8");
		assertThat(descriptor.shape()).containsExactly(480L, 640L);
		assertThat(descriptor.order()).isEqualTo("F");
		assertThat(descriptor.length()).isNull();
		assertThat(descriptor.format()).isNull();
		assertThat(listed().blocks()).singleElement()
			.usingRecursiveComparison()
			.ignoringFields("manager")
			.isEqualTo(descriptor);
		BlockDescriptor raw = this.endpoint.block(this.manager.sharedMemory(8).name(), null);
		assertThat(raw.dtype()).isNull();
		assertThat(raw.shape()).isNull();
		assertThat(raw.order()).isNull();
	}

	@Test
	void knowsNothingOfABlockItDidNotCreate() {
		try (SharedMemory outsider = this.manager.directory().create("outsider", 64)) {
			assertThat(this.endpoint.block("outsider", null)).isNull();
			assertThat(this.endpoint.unlink("outsider", null)).isNull();
			assertThat(this.directory.resolve("outsider")).exists();
			assertThat(listed().blocks()).isEmpty();
		}
		finally {
			this.manager.directory().unlink("outsider");
		}
	}

	@Test
	void unlinksABlockItCreatedAndForgetsIt() {
		SharedMemory block = this.manager.sharedMemory(64);
		BlockDescriptor unlinked = this.endpoint.unlink(block.name(), null);
		assertThat(unlinked.name()).isEqualTo(block.name());
		assertThat(unlinked.size()).isEqualTo(64);
		assertThat(this.directory.resolve(block.name())).doesNotExist();
		assertThat(this.endpoint.block(block.name(), null)).isNull();
		assertThat(this.endpoint.unlink(block.name(), null)).isNull();
		assertThat(listed().count()).isZero();
	}

	@Test
	void unlinkOfANameTheManagerDoesNotTrackCountsAsAFailedUnlink() {
		SharedMemory block = this.manager.sharedMemory(64);
		assertThat(this.endpoint.unlink(block.name(), null)).isNotNull();
		assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, false)).isZero();
		assertThat(this.endpoint.unlink(block.name(), null)).isNull();
		assertThat(this.endpoint.unlink("psm_00000000", null)).isNull();
		assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, true)).isEqualTo(1);
		assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(2);
	}

	@Test
	void coversEveryManagerByBeanNameAndFindsABlockInWhicheverTracksIt(@TempDir Path otherDirectory) {
		SharedMemoryManager other = SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(otherDirectory))
			.build();
		other.start();
		try {
			SharedMemoryEndpoint endpoint = new SharedMemoryEndpoint(
					Map.of("sharedMemoryManager", this.manager, "otherManager", other));
			SharedMemory mine = this.manager.sharedMemory(64);
			SharedMemory theirs = other.sharedMemory(128);
			Map<String, ManagerDescriptor> managers = endpoint.sharedMemory().managers();
			assertThat(managers).containsOnlyKeys("sharedMemoryManager", "otherManager");
			assertThat(managers.get("sharedMemoryManager").blocks()).extracting(BlockDescriptor::name)
				.containsExactly(mine.name());
			assertThat(managers.get("otherManager").blocks()).extracting(BlockDescriptor::name)
				.containsExactly(theirs.name());
			assertThat(managers.get("otherManager").directory().path())
				.isEqualTo(otherDirectory.toAbsolutePath().toString());
			assertThat(endpoint.block(theirs.name(), null).manager()).isEqualTo("otherManager");
			assertThat(endpoint.block(theirs.name(), "sharedMemoryManager")).isNull();

			// Asked of one manager, only that one counts the failure; asked of all, each
			// does.
			assertThat(endpoint.unlink(theirs.name(), "sharedMemoryManager")).isNull();
			assertThat(otherDirectory.resolve(theirs.name())).exists();
			assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(1);
			assertThat(endpoint.unlink(theirs.name(), null).manager()).isEqualTo("otherManager");
			assertThat(otherDirectory.resolve(theirs.name())).doesNotExist();
			assertThat(this.directory.resolve(mine.name())).exists();
			assertThat(endpoint.unlink(theirs.name(), null)).isNull();
			assertThat(this.manager.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(2);
			assertThat(other.operationCount(SharedMemoryOperation.UNLINK, false)).isEqualTo(1);
		}
		finally {
			other.shutdown();
		}
	}

	@Test
	void aNameSeveralManagersTrackIsAmbiguousUnlessTheManagerIsNamed() {
		// Managers in different directories may each track a block of one name; generated
		// names make it rare, so two managers that say they do stand for them.
		ManagedBlock block = new ManagedBlock("psm_0badcafe", 64, BlockKind.SHARED_MEMORY, Instant.now(), -1, null);
		SharedMemoryManager first = mock(SharedMemoryManager.class);
		SharedMemoryManager second = mock(SharedMemoryManager.class);
		given(first.block("psm_0badcafe")).willReturn(Optional.of(block));
		given(second.block("psm_0badcafe")).willReturn(Optional.of(block));
		given(second.unlink("psm_0badcafe")).willReturn(true);
		Map<String, SharedMemoryManager> managers = new LinkedHashMap<>();
		managers.put("first", first);
		managers.put("second", second);
		SharedMemoryEndpoint endpoint = new SharedMemoryEndpoint(managers);
		assertThatExceptionOfType(NonUniqueBlockException.class).isThrownBy(() -> endpoint.block("psm_0badcafe", null))
			.withMessage("Several managers track a block named psm_0badcafe, give the 'manager' to use: "
					+ "[first, second]");
		assertThatExceptionOfType(NonUniqueBlockException.class)
			.isThrownBy(() -> endpoint.unlink("psm_0badcafe", null));
		then(first).should(never()).unlink("psm_0badcafe");
		then(second).should(never()).unlink("psm_0badcafe");
		SharedMemoryEndpointWebExtension extension = new SharedMemoryEndpointWebExtension(endpoint);
		assertThat(extension.block("psm_0badcafe", null).getStatus()).isEqualTo(WebEndpointResponse.STATUS_BAD_REQUEST);
		assertThat(extension.unlink("psm_0badcafe", null).getStatus())
			.isEqualTo(WebEndpointResponse.STATUS_BAD_REQUEST);
		assertThat(extension.block("psm_0badcafe", "first").getBody().manager()).isEqualTo("first");
		assertThat(extension.unlink("psm_0badcafe", "second").getStatus())
			.isEqualTo(WebEndpointResponse.STATUS_NO_CONTENT);
		then(first).should(never()).unlink("psm_0badcafe");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "/", "..", ".", "/..", "../etc/passwd", "a/b", "nul\0byte", "\0" })
	void refusesInvalidNamesBeforeLookingThemUp(String name) {
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.block(name, null))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo("Invalid shared memory block name"));
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.unlink(name, null));
		assertThat(this.directory.getParent()).exists();
	}

	@Test
	void refusesNamesLongerThanTheSystemAllows() {
		String name = "x".repeat(300);
		assertThatExceptionOfType(InvalidEndpointRequestException.class)
			.isThrownBy(() -> this.endpoint.unlink(name, null))
			.withMessageContaining("300 bytes long");
	}

	@Test
	void webExtensionAnswersNoContentOrNotFound() {
		SharedMemoryEndpointWebExtension extension = new SharedMemoryEndpointWebExtension(this.endpoint);
		SharedMemory block = this.manager.sharedMemory(64);
		assertThat(extension.block(block.name(), null).getBody().name()).isEqualTo(block.name());
		assertThat(extension.unlink(block.name(), null).getStatus()).isEqualTo(WebEndpointResponse.STATUS_NO_CONTENT);
		assertThat(extension.unlink(block.name(), null).getStatus()).isEqualTo(WebEndpointResponse.STATUS_NOT_FOUND);
		assertThat(extension.block(block.name(), null).getStatus()).isEqualTo(WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
