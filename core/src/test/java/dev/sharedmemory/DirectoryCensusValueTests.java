package dev.sharedmemory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests the values a {@link DirectoryCensus} hands out: its totals, the categories' names
 * endpoints and meters publish, and which categories are blocks. The census itself is
 * taken in {@code DirectoryCensusTests}.
 */
class DirectoryCensusValueTests {

	@Test
	void categoriesArePublishedUnderStableHyphenatedNames() {
		// Meter tags and the endpoint's keys: dashboards depend on them.
		Map<EntryCategory, String> names = new EnumMap<>(EntryCategory.class);
		for (EntryCategory category : EntryCategory.values()) {
			names.put(category, category.displayName());
		}
		assertThat(names).containsExactlyInAnyOrderEntriesOf(
				Map.of(EntryCategory.APPLICATION, "application", EntryCategory.OTHER_MANAGER, "other-manager",
						EntryCategory.ORPHANED, "orphaned", EntryCategory.UNMANAGED, "unmanaged",
						EntryCategory.BOOKKEEPING, "bookkeeping", EntryCategory.NOT_A_BLOCK, "not-a-block"));
	}

	@Test
	void bookkeepingAndEntriesThatAreNotRegularFilesAreNotBlocks() {
		assertThat(EntryCategory.values()).filteredOn(EntryCategory::isBlock)
			.containsExactlyInAnyOrder(EntryCategory.APPLICATION, EntryCategory.OTHER_MANAGER, EntryCategory.ORPHANED,
					EntryCategory.UNMANAGED);
	}

	@Test
	void totalsAddEntriesAndCountAnUnreadAllocationAsNone() {
		DirectoryCensus.Totals totals = DirectoryCensus.Totals.NONE.plus(entry("read", 4096, 8192L))
			.plus(entry("unread", 100, null));

		assertThat(totals).isEqualTo(new DirectoryCensus.Totals(2, 4196, 8192));
	}

	@Test
	void aCategoryWithoutTotalsHasNone() {
		DirectoryCensus census = new DirectoryCensus("/dev/shm", Instant.EPOCH,
				Map.of(EntryCategory.UNMANAGED, new DirectoryCensus.Totals(1, 10, 4096)), 0, List.of());

		assertThat(census.totals(EntryCategory.ORPHANED)).isEqualTo(DirectoryCensus.Totals.NONE);
		assertThat(census.totals(EntryCategory.UNMANAGED)).isEqualTo(new DirectoryCensus.Totals(1, 10, 4096));
	}

	@Test
	void aCensusKeepsItsOwnImmutableCopies() {
		Map<EntryCategory, DirectoryCensus.Totals> totals = new EnumMap<>(EntryCategory.class);
		totals.put(EntryCategory.UNMANAGED, new DirectoryCensus.Totals(1, 10, 4096));
		List<DirectoryEntry> entries = new ArrayList<>(List.of(entry("first", 10, 4096L)));
		DirectoryCensus census = new DirectoryCensus("/dev/shm", Instant.EPOCH, totals, 0, entries);

		totals.put(EntryCategory.ORPHANED, new DirectoryCensus.Totals(1, 1, 1));
		entries.add(entry("second", 1, 1L));

		assertThat(census.totals()).containsOnlyKeys(EntryCategory.UNMANAGED);
		assertThat(census.entries()).extracting(DirectoryEntry::name).containsExactly("first");
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> census.totals().put(EntryCategory.ORPHANED, DirectoryCensus.Totals.NONE));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> census.entries().add(entry("third", 1, 1L)));
	}

	private static DirectoryEntry entry(String name, long size, Long allocatedBytes) {
		return new DirectoryEntry(name, null, DirectoryEntry.Type.REGULAR_FILE, size, allocatedBytes, 1000, "user",
				"0600", Instant.EPOCH, EntryCategory.UNMANAGED, null);
	}

}
