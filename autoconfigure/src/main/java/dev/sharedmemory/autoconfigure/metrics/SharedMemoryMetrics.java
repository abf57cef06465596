package dev.sharedmemory.autoconfigure.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryOperation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;

/**
 * A {@link MeterBinder} for the {@link SharedMemoryManager}s of an application: how many
 * blocks each tracks and their bytes, the operations it performed by outcome, and the
 * orphaned blocks it reclaimed and their bytes, each meter tagged with the manager's bean
 * name as {@code manager}. Every meter reads its manager when it is measured, so there is
 * nothing here to fall out of date. No meter is tagged with a block's name. The space of
 * each manager's directory is Micrometer's {@code disk.free} and {@code disk.total},
 * tagged with its path.
 */
public class SharedMemoryMetrics implements MeterBinder {

	private final Map<String, SharedMemoryManager> managers;

	/**
	 * Creates a binder for the given managers.
	 * @param managers the managers to measure, by bean name
	 */
	public SharedMemoryMetrics(Map<String, SharedMemoryManager> managers) {
		this.managers = new LinkedHashMap<>(managers);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.managers.forEach((name, manager) -> bindTo(registry, manager, Tags.of("manager", name)));
		this.managers.values()
			.stream()
			.map((manager) -> manager.directory().path().toFile())
			.distinct()
			.forEach((directory) -> new DiskSpaceMetrics(directory).bindTo(registry));
	}

	private void bindTo(MeterRegistry registry, SharedMemoryManager manager, Tags tags) {
		Gauge.builder("shared.memory.blocks", manager, SharedMemoryManager::blockCount)
			.description("Shared memory blocks created through the manager and not unlinked yet")
			.baseUnit("blocks")
			.tags(tags)
			.strongReference(true)
			.register(registry);
		Gauge.builder("shared.memory.size", manager, SharedMemoryManager::totalBytes)
			.description("Sum of the sizes of the shared memory blocks the manager tracks")
			.baseUnit(BaseUnits.BYTES)
			.tags(tags)
			.strongReference(true)
			.register(registry);
		FunctionCounter.builder("shared.memory.reclaimed", manager, SharedMemoryManager::reclaimedBlocks)
			.description("Orphaned shared memory blocks, left by processes that died, the manager unlinked")
			.baseUnit("blocks")
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("shared.memory.reclaimed.size", manager, SharedMemoryManager::reclaimedBytes)
			.description("Bytes of the orphaned shared memory blocks the manager unlinked")
			.baseUnit(BaseUnits.BYTES)
			.tags(tags)
			.register(registry);
		FunctionCounter.builder("shared.memory.lost", manager, SharedMemoryManager::lostBlocks)
			.description("Shared memory blocks the manager tracked that another process unlinked or replaced")
			.baseUnit("blocks")
			.tags(tags)
			.register(registry);
		for (SharedMemoryOperation operation : SharedMemoryOperation.values()) {
			registerOperations(registry, manager, tags, operation, true);
			registerOperations(registry, manager, tags, operation, false);
		}
	}

	private static void registerOperations(MeterRegistry registry, SharedMemoryManager manager, Tags tags,
			SharedMemoryOperation operation, boolean success) {
		FunctionCounter
			.builder("shared.memory.operations", manager, (measured) -> measured.operationCount(operation, success))
			.description("Shared memory operations performed through the manager")
			.tags(tags)
			.tag("operation", operation.name().toLowerCase(Locale.ROOT))
			.tag("outcome", success ? "success" : "failure")
			.register(registry);
	}

}
