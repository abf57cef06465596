package dev.sharedmemory.autoconfigure.actuate;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@link Endpoint @Endpoint} that lists the shared memory blocks a {@link SharedMemoryManager} tracks and unlinks
 * them one by one: those it created, and those Python processes created through its manager server, with where they
 * came from. A block the manager does not track is never shown and never unlinked.
 */
@Endpoint(id = "sharedmemory")
public class SharedMemoryEndpoint {

	private final SharedMemoryManager manager;

	/**
	 * Creates an endpoint over the blocks of the given manager.
	 * @param manager the manager whose blocks to show
	 */
	public SharedMemoryEndpoint(SharedMemoryManager manager) {
		this.manager = manager;
	}

	/**
	 * Returns the blocks the manager tracks and the directory they live in.
	 * @return a description of the blocks and the directory
	 */
	@ReadOperation
	public SharedMemoryDescriptor sharedMemory() {
		List<BlockDescriptor> blocks = this.manager.blocks().stream().map(BlockDescriptor::of).toList();
		long totalBytes = blocks.stream().mapToLong(BlockDescriptor::size).sum();
		SharedMemoryDirectory directory = this.manager.directory();
		return new SharedMemoryDescriptor(new DirectoryDescriptor(directory.path().toString(),
				directory.totalSpace(), directory.usableSpace()), blocks.size(), totalBytes, blocks);
	}

	/**
	 * Returns one block the manager tracks.
	 * @param name the block's name
	 * @return the block, or {@code null} if the manager does not track that name
	 * @throws InvalidEndpointRequestException if the name is not a valid block name
	 */
	@ReadOperation
	public @Nullable BlockDescriptor block(@Selector String name) {
		return this.manager.block(checkName(name)).map(BlockDescriptor::of).orElse(null);
	}

	/**
	 * Unlinks a block the manager created and stops tracking it.
	 * @param name the block's name
	 * @return the block as it was before it was unlinked, or {@code null} if the manager does not track that name
	 * @throws InvalidEndpointRequestException if the name is not a valid block name
	 */
	// Not a boolean, as CachesEndpoint has: over JMX, Actuator maps every result but a string or a collection to a
	// map, and a boolean fails there after the block is gone.
	@DeleteOperation
	public @Nullable BlockDescriptor unlink(@Selector String name) {
		String checked = checkName(name);
		Optional<ManagedBlock> block = this.manager.block(checked);
		return (block.isPresent() && this.manager.unlink(checked)) ? BlockDescriptor.of(block.get()) : null;
	}

	/**
	 * Refuses a name that could reach outside the directory before it is looked up, let alone touches a file.
	 */
	private static String checkName(String name) {
		try {
			return SharedMemoryDirectory.checkName(name);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), "Invalid shared memory block name");
		}
	}

	/**
	 * Description of the blocks a manager tracks.
	 *
	 * @param directory the directory the blocks live in
	 * @param count the number of blocks
	 * @param totalBytes the sum of their sizes, in bytes
	 * @param blocks the blocks, oldest first
	 */
	public record SharedMemoryDescriptor(DirectoryDescriptor directory, int count, long totalBytes,
			List<BlockDescriptor> blocks) implements OperationResponseBody {

	}

	/**
	 * Description of the directory that holds the blocks.
	 *
	 * @param path its absolute path
	 * @param totalBytes the size of the file system that holds it, in bytes
	 * @param usableBytes how many bytes new blocks can still take
	 */
	public record DirectoryDescriptor(String path, long totalBytes, long usableBytes) {

	}

	/**
	 * Description of one block.
	 *
	 * @param name the block's name
	 * @param size its size in bytes
	 * @param kind {@code SharedMemory} or {@code ShareableList}
	 * @param createdAt when the manager created it, or started tracking it
	 * @param length for a {@code ShareableList}, its number of items; {@code null} otherwise
	 * @param format for a {@code ShareableList}, its struct format as Python gives it; {@code null} otherwise
	 * @param origin {@code null} for a block the application created; for one a Python process created through the
	 * manager server, where it came from (its address, or its user and the socket path)
	 */
	public record BlockDescriptor(String name, long size, String kind, Instant createdAt, @Nullable Integer length,
			@Nullable String format, @Nullable String origin) implements OperationResponseBody {

		static BlockDescriptor of(ManagedBlock block) {
			Integer length = (block.length() >= 0) ? block.length() : null;
			return new BlockDescriptor(block.name(), block.size(), block.kind().displayName(), block.createdAt(),
					length, block.format(), block.origin());
		}

	}

}
