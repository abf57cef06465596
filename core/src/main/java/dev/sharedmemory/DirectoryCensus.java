package dev.sharedmemory;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every entry of a blocks' directory, what each really holds and who manages it, with
 * totals by category: the operator's answer to "what is using the directory, and whose is
 * it?". Taken by {@link SharedMemoryDirectory#census()}.
 *
 * @param path the directory's absolute path
 * @param takenAt when the census was taken
 * @param totals the entries, their bytes and the memory they hold, by category; every
 * category is present
 * @param skipped the entries that vanished (or could not be read) between the listing and
 * their {@code lstat(2)}
 * @param entries every entry, in no order to rely on (the listing's)
 */
public record DirectoryCensus(String path, Instant takenAt, Map<EntryCategory, Totals> totals, int skipped,
		List<DirectoryEntry> entries) {

	/**
	 * Creates a census, keeping immutable copies of the totals and the entries.
	 * @param path the directory's absolute path
	 * @param takenAt when it was taken
	 * @param totals the totals by category
	 * @param skipped the entries skipped
	 * @param entries the entries
	 */
	public DirectoryCensus {
		totals = Collections.unmodifiableMap(new EnumMap<>(totals));
		entries = List.copyOf(entries);
	}

	/**
	 * Returns the totals of one category.
	 * @param category the category
	 * @return its totals, zero if it has no entry
	 */
	public Totals totals(EntryCategory category) {
		return this.totals.getOrDefault(category, Totals.NONE);
	}

	/**
	 * Entries of one category, summed.
	 *
	 * @param count how many entries
	 * @param bytes the sum of their apparent sizes
	 * @param allocatedBytes the sum of the memory they hold, of those whose allocation
	 * could be read
	 */
	public record Totals(int count, long bytes, long allocatedBytes) {

		/** No entry. */
		public static final Totals NONE = new Totals(0, 0, 0);

		/**
		 * Returns these totals with one more entry.
		 * @param entry the entry
		 * @return the sum
		 */
		public Totals plus(DirectoryEntry entry) {
			long allocated = (entry.allocatedBytes() != null) ? entry.allocatedBytes() : 0;
			return new Totals(this.count + 1, this.bytes + entry.size(), this.allocatedBytes + allocated);
		}

	}

}
