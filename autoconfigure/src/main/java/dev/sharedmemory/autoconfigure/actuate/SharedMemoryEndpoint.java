package dev.sharedmemory.autoconfigure.actuate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.ndarray.NDArrayDescriptor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link Endpoint @Endpoint} that lists the shared memory blocks the
 * {@link SharedMemoryManager}s of an application tracks, manager by manager, and unlinks
 * them one by one: those they created, and those Python processes created through a
 * manager's server, with where they came from (their origin). A block no manager tracks
 * is never shown and never unlinked. Like Spring Boot's {@code caches} endpoint, it finds
 * a block in whichever manager tracks it, or in the one named by the optional
 * {@code manager} parameter.
 * <p>
 * With {@code scope=directory}, it lists instead every entry of the managers'
 * directories, whoever created it, and who manages it; its write operation reclaims the
 * blocks of managers that are gone, as a start does. Neither ever unlinks a block a
 * manager of this application did not create and whose creator lives.
 */
@Endpoint(id = "sharedmemory")
public class SharedMemoryEndpoint {

	/**
	 * The value of the read operation's {@code scope} that asks for a census of the
	 * directories.
	 */
	public static final String DIRECTORY_SCOPE = "directory";

	private final Map<String, SharedMemoryManager> managers;

	/**
	 * Creates an endpoint over the blocks of the given managers.
	 * @param managers the managers whose blocks to show, by bean name
	 */
	public SharedMemoryEndpoint(Map<String, SharedMemoryManager> managers) {
		this.managers = new LinkedHashMap<>(managers);
	}

	/**
	 * Returns, without a scope, what {@link #sharedMemory()} returns; with the scope
	 * {@value #DIRECTORY_SCOPE}, a census of each managers' directory: every entry, the
	 * memory it holds and who manages it, totals first.
	 * @param scope {@code null}, or {@value #DIRECTORY_SCOPE}
	 * @return the application's blocks, or the census of its directories
	 * @throws InvalidEndpointRequestException if the scope is another
	 */
	@ReadOperation
	public OperationResponseBody sharedMemory(@Nullable String scope) {
		if (scope == null) {
			return sharedMemory();
		}
		if (!scope.equals(DIRECTORY_SCOPE)) {
			throw new InvalidEndpointRequestException(
					"Unknown scope '" + scope + "': only '" + DIRECTORY_SCOPE + "' is known", "Unknown scope");
		}
		return census();
	}

	/**
	 * Returns, for each manager, the blocks it tracks and the directory they live in.
	 * @return a description of every manager's blocks, by bean name
	 */
	public SharedMemoryDescriptor sharedMemory() {
		Map<String, ManagerDescriptor> descriptors = new LinkedHashMap<>();
		this.managers.forEach((name, manager) -> descriptors.put(name, ManagerDescriptor.of(manager)));
		return new SharedMemoryDescriptor(descriptors);
	}

	/**
	 * Returns a census of each directory the managers use: every entry, the memory it
	 * really holds and who manages it, with totals by category.
	 * @return the censuses, by directory
	 */
	public DirectoriesDescriptor census() {
		Map<String, CensusDescriptor> directories = new LinkedHashMap<>();
		directories()
			.forEach((path, manager) -> directories.put(path, CensusDescriptor.of(manager.directory().census())));
		return new DirectoriesDescriptor(directories);
	}

	/**
	 * Reclaims now, in each directory the managers use, the blocks of processes that died
	 * without unlinking them, under exactly the rules of the reclaim at start-up
	 * ({@link SharedMemoryManager#reclaimOrphans()}).
	 * @return what was unlinked, by directory
	 */
	@WriteOperation
	public ReclaimedDescriptor reclaimOrphans() {
		Map<String, ReclaimedOrphans> directories = new LinkedHashMap<>();
		directories().forEach((path, manager) -> directories.put(path, manager.reclaimOrphans()));
		return new ReclaimedDescriptor(directories);
	}

	/**
	 * Returns the first manager of each directory, by its path: a directory's census and
	 * reclaim are the same whichever of its managers takes them.
	 */
	private Map<String, SharedMemoryManager> directories() {
		Map<String, SharedMemoryManager> directories = new LinkedHashMap<>();
		this.managers.values()
			.forEach((manager) -> directories.putIfAbsent(manager.directory().path().toString(), manager));
		return directories;
	}

	/**
	 * Returns one block a manager tracks.
	 * @param name the block's name
	 * @param manager the bean name of the manager to look in, or {@code null} to look in
	 * every manager
	 * @return the block, or {@code null} if no manager looked in tracks that name
	 * @throws InvalidEndpointRequestException if the name is not a valid block name
	 * @throws NonUniqueBlockException if several managers track that name and none was
	 * named
	 */
	@ReadOperation
	public @Nullable BlockDescriptor block(@Selector String name, @Nullable String manager) {
		return find(checkName(name), candidates(manager));
	}

	/**
	 * Unlinks a block a manager created; the manager stops tracking it. A name no manager
	 * looked in tracks is counted as a failed unlink by each of them, as
	 * {@link SharedMemoryManager#unlink(String)} counts it.
	 * @param name the block's name
	 * @param manager the bean name of the manager to look in, or {@code null} to look in
	 * every manager
	 * @return the block as it was before it was unlinked, or {@code null} if no manager
	 * looked in tracks that name
	 * @throws InvalidEndpointRequestException if the name is not a valid block name
	 * @throws NonUniqueBlockException if several managers track that name and none was
	 * named
	 */
	// Not a boolean, as CachesEndpoint has: over JMX, Actuator maps every result but a
	// string or a collection to a map, and a boolean fails there after the block is gone.
	@DeleteOperation
	public @Nullable BlockDescriptor unlink(@Selector String name, @Nullable String manager) {
		String checked = checkName(name);
		Map<String, SharedMemoryManager> candidates = candidates(manager);
		BlockDescriptor block = find(checked, candidates);
		if (block == null) {
			candidates.values().forEach((candidate) -> candidate.unlink(checked));
			return null;
		}
		return this.managers.get(block.manager()).unlink(checked) ? block : null;
	}

	private Map<String, SharedMemoryManager> candidates(@Nullable String manager) {
		if (manager == null) {
			return this.managers;
		}
		SharedMemoryManager named = this.managers.get(manager);
		return (named != null) ? Map.of(manager, named) : Map.of();
	}

	private static @Nullable BlockDescriptor find(String name, Map<String, SharedMemoryManager> candidates) {
		List<BlockDescriptor> found = candidates.entrySet()
			.stream()
			.flatMap((entry) -> entry.getValue()
				.block(name)
				.map((block) -> BlockDescriptor.of(block, entry.getKey()))
				.stream())
			.toList();
		if (found.size() > 1) {
			throw new NonUniqueBlockException(name, found.stream().map(BlockDescriptor::manager).toList());
		}
		return found.isEmpty() ? null : found.get(0);
	}

	/**
	 * Refuses a name that could reach outside the directory before it is looked up, let
	 * alone touches a file.
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
	 * Censuses of the managers' directories.
	 *
	 * @param directories the census of each directory, by path
	 */
	public record DirectoriesDescriptor(Map<String, CensusDescriptor> directories) implements OperationResponseBody {

	}

	/**
	 * A census of a directory: the totals by category first, then every entry.
	 *
	 * @param takenAt when it was taken
	 * @param totals the entries, their bytes and the memory they hold, by category
	 * ({@code application}, {@code other-manager}, {@code orphaned}, {@code unmanaged},
	 * {@code bookkeeping}, {@code not-a-block})
	 * @param skipped the entries that vanished between the listing and their
	 * {@code lstat}
	 * @param entries every entry
	 */
	public record CensusDescriptor(Instant takenAt, Map<String, DirectoryCensus.Totals> totals, int skipped,
			List<EntryDescriptor> entries) {

		static CensusDescriptor of(DirectoryCensus census) {
			Map<String, DirectoryCensus.Totals> totals = new LinkedHashMap<>();
			census.totals().forEach((category, sum) -> totals.put(category.displayName(), sum));
			return new CensusDescriptor(census.takenAt(), totals, census.skipped(),
					census.entries().stream().map(EntryDescriptor::of).toList());
		}

	}

	/**
	 * Description of one entry of a directory. Its name is shown as it is, escaped by
	 * JSON and never interpreted.
	 *
	 * @param name its name as the JVM decodes it
	 * @param rawName its bytes, percent-encoded, when the name is not valid UTF-8;
	 * {@code null} otherwise
	 * @param type {@code file}, {@code directory}, {@code link} or {@code other}
	 * @param category who manages it
	 * @param size its apparent size in bytes
	 * @param allocatedBytes the memory it really holds, in bytes; {@code null} if it
	 * could not be read
	 * @param user its owner's name
	 * @param mode its permissions, in octal
	 * @param lastModified when its content last changed
	 * @param manager for a block a manager's record names, that manager's process;
	 * {@code null} otherwise
	 */
	public record EntryDescriptor(String name, @Nullable String rawName, String type, String category, long size,
			@Nullable Long allocatedBytes, String user, String mode, Instant lastModified,
			DirectoryEntry.@Nullable Owner manager) {

		static EntryDescriptor of(DirectoryEntry entry) {
			String type = switch (entry.type()) {
				case REGULAR_FILE -> "file";
				case DIRECTORY -> "directory";
				case SYMBOLIC_LINK -> "link";
				case OTHER -> "other";
			};
			return new EntryDescriptor(entry.name(), entry.rawName(), type, entry.category().displayName(),
					entry.size(), entry.allocatedBytes(), entry.user(), entry.mode(), entry.lastModified(),
					entry.owner());
		}

	}

	/**
	 * What a reclaim unlinked.
	 *
	 * @param directories what it unlinked in each directory, by path
	 */
	public record ReclaimedDescriptor(Map<String, ReclaimedOrphans> directories) implements OperationResponseBody {

	}

	/**
	 * Description of the blocks of every manager.
	 *
	 * @param managers what each manager tracks, by bean name
	 */
	public record SharedMemoryDescriptor(Map<String, ManagerDescriptor> managers) implements OperationResponseBody {

	}

	/**
	 * Description of the blocks a manager tracks.
	 *
	 * @param directory the directory the blocks live in
	 * @param count the number of blocks
	 * @param totalBytes the sum of their sizes, in bytes
	 * @param blocks the blocks, oldest first
	 */
	public record ManagerDescriptor(DirectoryDescriptor directory, int count, long totalBytes,
			List<BlockDescriptor> blocks) {

		static ManagerDescriptor of(SharedMemoryManager manager) {
			List<BlockDescriptor> blocks = manager.blocks()
				.stream()
				.map((block) -> BlockDescriptor.of(block, null))
				.toList();
			long totalBytes = blocks.stream().mapToLong(BlockDescriptor::size).sum();
			SharedMemoryDirectory directory = manager.directory();
			return new ManagerDescriptor(new DirectoryDescriptor(directory.path().toString(), directory.totalSpace(),
					directory.usableSpace()), blocks.size(), totalBytes, blocks);
		}

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
	 * @param kind {@code SharedMemory}, {@code ShareableList} or {@code NDArray}
	 * @param createdAt when the manager created it, or started tracking it
	 * @param length for a {@code ShareableList}, its number of items; {@code null}
	 * otherwise
	 * @param format for a {@code ShareableList}, its struct format as Python gives it;
	 * {@code null} otherwise
	 * @param dtype for an {@code NDArray}, its dtype as its {@code .npy} header gives it
	 * ({@code <f8}); {@code null} otherwise
	 * @param shape for an {@code NDArray}, its shape; {@code null} otherwise
	 * @param order for an {@code NDArray}, {@code C} or {@code F}; {@code null} otherwise
	 * @param origin {@code null} for a block the application created; for one a Python
	 * process created through the manager server, where it came from (its address, or its
	 * user and the socket path)
	 * @param manager the bean name of the manager that tracks it, when the block is
	 * described on its own; {@code null} in a manager's list
	 */
	public record BlockDescriptor(String name, long size, String kind, Instant createdAt, @Nullable Integer length,
			@Nullable String format, @Nullable String dtype, @Nullable List<Long> shape, @Nullable String order,
			@Nullable String origin, @Nullable String manager) implements OperationResponseBody {

		static BlockDescriptor of(ManagedBlock block, @Nullable String manager) {
			Integer length = (block.length() >= 0) ? block.length() : null;
			NDArrayDescriptor array = block.array();
			return new BlockDescriptor(block.name(), block.size(), block.kind().displayName(), block.createdAt(),
					length, block.format(), (array != null) ? array.dtype().descr() : null,
					(array != null) ? array.shape() : null, (array != null) ? array.order().name() : null,
					block.origin(), manager);
		}

	}

}
