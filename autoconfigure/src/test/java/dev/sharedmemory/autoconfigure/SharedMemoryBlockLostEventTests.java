package dev.sharedmemory.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.sharedmemory.BlockKind;
import dev.sharedmemory.LostBlock;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetrics;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests that a block the auto-configured manager loses to another process is published as
 * a {@link SharedMemoryBlockLostEvent} and counted by the {@code shared.memory.lost}
 * meter.
 */
class SharedMemoryBlockLostEventTests {

	@TempDir
	Path directory;

	// The manager's warning, captured rather than printed.
	private final Logger managerLogger = Logger.getLogger(SharedMemoryManager.class.getName());

	private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();

	private final Handler capture = new Handler() {

		@Override
		public void publish(LogRecord record) {
			SharedMemoryBlockLostEventTests.this.warnings.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(SharedMemoryAutoConfiguration.class, SharedMemoryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withBean(LostBlockEvents.class);

	@BeforeEach
	void captureWarnings() {
		this.managerLogger.setUseParentHandlers(false);
		this.managerLogger.addHandler(this.capture);
	}

	@AfterEach
	void restoreLogging() {
		this.managerLogger.removeHandler(this.capture);
		this.managerLogger.setUseParentHandlers(true);
	}

	@Test
	void aBlockLostToAnotherProcessIsPublishedAndCounted() {
		this.contextRunner.withPropertyValues("shared-memory.directory=" + this.directory).run((context) -> {
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			List<SharedMemoryBlockLostEvent> events = context.getBean(LostBlockEvents.class).events;
			// Bound by hand: this context has no metrics auto-configuration to bind its
			// binders.
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(SharedMemoryMetrics.class).bindTo(registry);
			assertThat(registry.get("shared.memory.lost").functionCounter().count()).isZero();
			SharedMemory block = manager.sharedMemory(128);
			Files.delete(this.directory.resolve(block.name()));
			await().until(() -> !events.isEmpty());
			assertThat(events).singleElement().satisfies((event) -> {
				assertThat(event.getBlock())
					.isEqualTo(new LostBlock(block.name(), 128, BlockKind.SHARED_MEMORY, LostBlock.Reason.UNLINKED));
				assertThat(event.getDirectory()).isSameAs(manager.directory());
			});
			assertThat(registry.get("shared.memory.lost").functionCounter().count()).isEqualTo(1);
			assertThat(registry.get("shared.memory.blocks").gauge().value()).isZero();
			assertThat(this.warnings).singleElement()
				.satisfies((record) -> assertThat(record.getLevel()).isEqualTo(Level.WARNING))
				.extracting(LogRecord::getMessage)
				.asString()
				.contains(block.name(), "was unlinked by another process");
		});
	}

	/**
	 * Collects the events, as an application's listener would hear them.
	 */
	static class LostBlockEvents implements ApplicationListener<SharedMemoryBlockLostEvent> {

		final List<SharedMemoryBlockLostEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SharedMemoryBlockLostEvent event) {
			this.events.add(event);
		}

	}

}
