package dev.sharedmemory.autoconfigure.metrics;

import java.util.Locale;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.SharedMemoryOperation;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * A {@link MeterBinder} for a {@link SharedMemoryManager}: how many blocks it tracks and their bytes, the operations
 * it performed by outcome, and the orphaned blocks it reclaimed and their bytes. Every meter reads the manager when
 * it is measured, so there is nothing here to fall out of date. No meter is tagged with a block's name. The space of
 * the manager's directory is Micrometer's {@code disk.free} and {@code disk.total}, tagged with its path.
 */
public class SharedMemoryMetrics implements MeterBinder {

	private final SharedMemoryManager manager;

	/**
	 * Creates a binder for the given manager.
	 * @param manager the manager to measure
	 */
	public SharedMemoryMetrics(SharedMemoryManager manager) {
		this.manager = manager;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("shared.memory.blocks", this.manager, SharedMemoryManager::blockCount)
			.description("Shared memory blocks created through the manager and not unlinked yet")
			.baseUnit("blocks")
			.strongReference(true)
			.register(registry);
		Gauge.builder("shared.memory.size", this.manager, SharedMemoryManager::totalBytes)
			.description("Sum of the sizes of the shared memory blocks the manager tracks")
			.baseUnit(BaseUnits.BYTES)
			.strongReference(true)
			.register(registry);
		FunctionCounter.builder("shared.memory.reclaimed", this.manager, SharedMemoryManager::reclaimedBlocks)
			.description("Orphaned shared memory blocks, left by processes that died, the manager unlinked")
			.baseUnit("blocks")
			.register(registry);
		FunctionCounter.builder("shared.memory.reclaimed.size", this.manager, SharedMemoryManager::reclaimedBytes)
			.description("Bytes of the orphaned shared memory blocks the manager unlinked")
			.baseUnit(BaseUnits.BYTES)
			.register(registry);
		FunctionCounter.builder("shared.memory.lost", this.manager, SharedMemoryManager::lostBlocks)
			.description("Shared memory blocks the manager tracked that another process unlinked or replaced")
			.baseUnit("blocks")
			.register(registry);
		for (SharedMemoryOperation operation : SharedMemoryOperation.values()) {
			registerOperations(registry, operation, true);
			registerOperations(registry, operation, false);
		}
	}

	private void registerOperations(MeterRegistry registry, SharedMemoryOperation operation, boolean success) {
		FunctionCounter
			.builder("shared.memory.operations", this.manager,
					(manager) -> manager.operationCount(operation, success))
			.description("Shared memory operations performed through the manager")
			.tag("operation", operation.name().toLowerCase(Locale.ROOT))
			.tag("outcome", success ? "success" : "failure")
			.register(registry);
	}

}
