package dev.sharedmemory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ndarray.NDArray;

/**
 * The blocks a {@link SharedMemoryManager} tracks, by name and oldest first. Thread-safe without a lock of its own:
 * both views are concurrent collections, and a name is in the registry at most once, since blocks are created
 * exclusively.
 */
final class BlockRegistry {

	private final Map<String, Entry> byName = new ConcurrentHashMap<>();

	// The same blocks kept oldest first, so that listing them is a walk, not a sort: a sort made the cost per block
	// of blocks() three to four times higher at 10,000 blocks than at 1,000.
	private final Set<Entry> oldestFirst = new ConcurrentSkipListSet<>(
			Comparator.comparing(Entry::createdAt).thenComparing(Entry::name));

	void add(Entry entry) {
		this.byName.put(entry.name(), entry);
		this.oldestFirst.add(entry);
	}

	@Nullable Entry remove(String name) {
		Entry entry = this.byName.remove(name);
		if (entry != null) {
			this.oldestFirst.remove(entry);
		}
		return entry;
	}

	/**
	 * Removes the entry if the registry still holds it, not another of the same name.
	 * @return whether this call removed it
	 */
	boolean remove(Entry entry) {
		if (!this.byName.remove(entry.name(), entry)) {
			return false;
		}
		this.oldestFirst.remove(entry);
		return true;
	}

	@Nullable Entry get(String name) {
		return this.byName.get(name);
	}

	/**
	 * Returns the blocks oldest first, as a snapshot.
	 */
	List<ManagedBlock> describeOldestFirst() {
		List<ManagedBlock> blocks = new ArrayList<>(this.byName.size());
		for (Entry entry : this.oldestFirst) {
			blocks.add(entry.describe());
		}
		return List.copyOf(blocks);
	}

	Collection<Entry> entries() {
		return List.copyOf(this.byName.values());
	}

	int count() {
		return this.byName.size();
	}

	long totalBytes() {
		long total = 0;
		for (Entry entry : this.byName.values()) {
			total += entry.block().size();
		}
		return total;
	}

	/**
	 * A tracked block, with the handle the manager returned.
	 *
	 * @param block the block
	 * @param content what it was created as, a {@link ShareableList} or an {@link NDArray}; {@code null} for raw
	 * bytes
	 * @param createdAt when the manager created it
	 * @param origin who asked for it: {@code null} for this process, else the peer it was created for
	 */
	record Entry(SharedMemory block, @Nullable Object content, Instant createdAt, @Nullable String origin) {

		String name() {
			return this.block.name();
		}

		ManagedBlock describe() {
			if (this.content instanceof ShareableList list) {
				return new ManagedBlock(name(), this.block.size(), BlockKind.SHAREABLE_LIST, this.createdAt,
						list.size(), formatOrNull(list));
			}
			if (this.content instanceof NDArray array) {
				// Its dtype, shape and order are fixed when it is created: nothing to read from the block.
				return new ManagedBlock(name(), this.block.size(), BlockKind.NDARRAY, this.createdAt, -1, null,
						array.descriptor());
			}
			return new ManagedBlock(name(), this.block.size(), BlockKind.SHARED_MEMORY, this.createdAt, -1, null);
		}

		/**
		 * The list's format, or null where it cannot be read: its handle was closed (perhaps by another thread just
		 * now), or an item holds what CPython never writes. One list must not break the description of all.
		 */
		private @Nullable String formatOrNull(ShareableList list) {
			if (this.block.isClosed()) {
				return null;
			}
			try {
				return list.format();
			}
			catch (IllegalStateException | InvalidShareableListException ex) {
				return null;
			}
		}

	}

}
