package dev.sharedmemory.autoconfigure.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.EntryCategory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MeterBinder} of what the managers' directories hold, whoever created it:
 * {@code shared.memory.directory.blocks} and {@code shared.memory.directory.bytes} (the
 * memory the blocks really hold), tagged with the directory's {@code path} and a
 * {@code category}: {@code application}, {@code other-manager}, {@code orphaned} or
 * {@code unmanaged}. No meter is tagged with a block's name. The figures come from a
 * {@link DirectoryCensus}, taken at most once per {@code maxAge} whatever the number of
 * gauges read, so that a scrape costs one census.
 */
public class SharedMemoryDirectoryMetrics implements MeterBinder {

	private final Map<String, CachedCensus> directories = new LinkedHashMap<>();

	/**
	 * Creates a binder for the directories of the given managers.
	 * @param managers the managers, by bean name
	 * @param maxAge how long a census is used before another is taken
	 */
	public SharedMemoryDirectoryMetrics(Map<String, SharedMemoryManager> managers, Duration maxAge) {
		this(managers, maxAge, System::nanoTime);
	}

	SharedMemoryDirectoryMetrics(Map<String, SharedMemoryManager> managers, Duration maxAge, LongSupplier nanoTime) {
		managers.values()
			.forEach((manager) -> this.directories.computeIfAbsent(manager.directory().path().toString(),
					(path) -> new CachedCensus(manager.directory(), maxAge.toNanos(), nanoTime)));
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.directories.forEach((path, census) -> {
			for (EntryCategory category : EntryCategory.values()) {
				if (category.isBlock()) {
					register(registry, "shared.memory.directory.blocks", "blocks",
							"Shared memory blocks in the directory, by who manages them", path, category, census,
							(totals) -> totals.count());
					register(registry, "shared.memory.directory.bytes", BaseUnits.BYTES,
							"Memory the shared memory blocks in the directory really hold, by who manages them", path,
							category, census, (totals) -> totals.allocatedBytes());
				}
			}
		});
	}

	private static void register(MeterRegistry registry, String name, String unit, String description, String path,
			EntryCategory category, CachedCensus census, ToDoubleFunction<DirectoryCensus.Totals> figure) {
		Gauge.builder(name, census, (cached) -> figure.applyAsDouble(cached.get().totals(category)))
			.description(description)
			.baseUnit(unit)
			.tag("path", path)
			.tag("category", category.displayName())
			.strongReference(true)
			.register(registry);
	}

	/**
	 * The last census of a directory, taken again once older than its maximum age.
	 */
	static final class CachedCensus {

		private final SharedMemoryDirectory directory;

		private final long maxAgeNanos;

		private final LongSupplier nanoTime;

		private @Nullable DirectoryCensus census;

		private long takenAt;

		CachedCensus(SharedMemoryDirectory directory, long maxAgeNanos, LongSupplier nanoTime) {
			this.directory = directory;
			this.maxAgeNanos = maxAgeNanos;
			this.nanoTime = nanoTime;
		}

		synchronized DirectoryCensus get() {
			long now = this.nanoTime.getAsLong();
			if (this.census == null || now - this.takenAt >= this.maxAgeNanos) {
				this.census = this.directory.census();
				this.takenAt = now;
			}
			return this.census;
		}

	}

}
