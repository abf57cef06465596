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
 * The blocks a {@link SharedMemoryManager} tracks, by name and oldest first. Thread-safe
 * without a lock of its own: both views are concurrent collections, and a name is in the
 * registry at most once, since blocks are created exclusively.
 */
final class BlockRegistry {

	private final Map<String, Entry> byName = new ConcurrentHashMap<>();

	// The same blocks kept oldest first, so that listing them is a walk, not a sort: a
	// sort made the cost per block of blocks() three to four times higher at 10,000
	// blocks than at 1,000.
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

	/**
	 * Returns the entries oldest first, as a snapshot.
	 */
	List<Entry> entriesOldestFirst() {
		return List.copyOf(this.oldestFirst);
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
			total += entry.size();
		}
		return total;
	}

	/**
	 * A tracked block: one the manager created, with the handle it returned, or one it
	 * tracks for a client of its manager server, which it holds no handle of and knows by
	 * inode.
	 *
	 * @param name the block's name
	 * @param size its size in bytes
	 * @param block the handle the manager returned, or {@code null} for a block tracked
	 * for a client
	 * @param content what the manager created it as, a {@link ShareableList} or an
	 * {@link NDArray}; {@code null} for raw bytes and for a block tracked for a client
	 * @param createdAt when the manager created it or started tracking it
	 * @param origin who asked for it: {@code null} for this process, else the peer it is
	 * tracked for
	 * @param inode for a block tracked for a client, the inode of its file when tracked;
	 * {@code -1} otherwise
	 */
	record Entry(String name, long size, @Nullable SharedMemory block, @Nullable Object content, Instant createdAt,
			@Nullable String origin, long inode) {

		static Entry created(SharedMemory block, @Nullable Object content, Instant createdAt) {
			return new Entry(block.name(), block.size(), block, content, createdAt, null, -1);
		}

		static Entry tracked(String name, long size, long inode, Instant createdAt, String origin) {
			return new Entry(name, size, null, null, createdAt, origin, inode);
		}

		ManagedBlock describe() {
			if (this.content instanceof ShareableList list) {
				return new ManagedBlock(this.name, this.size, BlockKind.SHAREABLE_LIST, this.createdAt, list.size(),
						formatOrNull(list), null, this.origin);
			}
			if (this.content instanceof NDArray array) {
				// Its dtype, shape and order are fixed when it is created: nothing to
				// read from the block.
				return new ManagedBlock(this.name, this.size, BlockKind.NDARRAY, this.createdAt, -1, null,
						array.descriptor(), this.origin);
			}
			return new ManagedBlock(this.name, this.size, BlockKind.SHARED_MEMORY, this.createdAt, -1, null, null,
					this.origin);
		}

		/**
		 * The list's format, or null where it cannot be read: its handle was closed
		 * (perhaps by another thread just now), or an item holds what CPython never
		 * writes. One list must not break the description of all.
		 */
		private @Nullable String formatOrNull(ShareableList list) {
			if (list.shm().isClosed()) {
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
