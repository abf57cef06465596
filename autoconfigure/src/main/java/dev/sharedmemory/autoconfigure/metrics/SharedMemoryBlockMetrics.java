package dev.sharedmemory.autoconfigure.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.SharedMemoryManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.MultiGauge.Row;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MeterBinder} that registers a {@code shared.memory.block.size} gauge per block
 * the {@link SharedMemoryManager}s of an application track, tagged with the block's name
 * and the manager's bean name. Once bound, a daemon thread follows the managers at a
 * fixed interval: it adds the gauges of new blocks and removes those of blocks that were
 * unlinked, so the number of time series stays the number of live blocks.
 * <p>
 * {@link #close()} stops the thread.
 */
public class SharedMemoryBlockMetrics implements MeterBinder, AutoCloseable {

	private static final Log logger = LogFactory.getLog(SharedMemoryBlockMetrics.class);

	private final Map<String, SharedMemoryManager> managers;

	private final Duration refreshInterval;

	private final List<MultiGauge> gauges = new ArrayList<>();

	private @Nullable ScheduledExecutorService refresher;

	/**
	 * Creates a binder for the blocks of the given managers.
	 * @param managers the managers whose blocks to measure, by bean name
	 * @param refreshInterval how often the gauges follow the blocks the managers track
	 */
	public SharedMemoryBlockMetrics(Map<String, SharedMemoryManager> managers, Duration refreshInterval) {
		this.managers = new LinkedHashMap<>(managers);
		this.refreshInterval = refreshInterval;
	}

	@Override
	public synchronized void bindTo(MeterRegistry registry) {
		this.gauges.add(MultiGauge.builder("shared.memory.block.size")
			.description("Size of a shared memory block a manager tracks")
			.baseUnit(BaseUnits.BYTES)
			.register(registry));
		refresh();
		if (this.refresher == null) {
			this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "shared-memory-block-metrics");
				thread.setDaemon(true);
				return thread;
			});
			long millis = this.refreshInterval.toMillis();
			this.refresher.scheduleWithFixedDelay(this::refreshScheduled, millis, millis, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * Makes the gauges match the blocks the managers track now.
	 */
	synchronized void refresh() {
		List<Row<?>> rows = this.managers.entrySet()
			.stream()
			.flatMap((manager) -> manager.getValue()
				.blocks()
				.stream()
				.<Row<?>>map(
						(block) -> Row.of(Tags.of("manager", manager.getKey(), "name", block.name()), block.size())))
			.toList();
		// A block's size never changes: rows already there stay, those of unlinked blocks
		// go.
		this.gauges.forEach((gauge) -> gauge.register(rows, false));
	}

	// A scheduled task that throws is never run again: log and go on, so the gauges keep
	// following the managers.
	private void refreshScheduled() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not refresh the per-block shared memory gauges", ex);
		}
	}

	/**
	 * Stops following the managers.
	 */
	@Override
	public synchronized void close() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
		}
	}

}
