package dev.sharedmemory.autoconfigure.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures what the manager server (core, java.util.logging) logs during a test instead
 * of printing it, so that expected warnings are asserted, not shown as noise.
 */
final class ProtocolLog implements BeforeEachCallback, AfterEachCallback {

	private static final Logger LOGGER = Logger.getLogger("dev.sharedmemory.protocol");

	private final List<LogRecord> records = new CopyOnWriteArrayList<>();

	private final Handler handler = new Handler() {

		@Override
		public void publish(LogRecord record) {
			ProtocolLog.this.records.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	@Override
	public void beforeEach(ExtensionContext context) {
		this.records.clear();
		LOGGER.setUseParentHandlers(false);
		LOGGER.setLevel(Level.ALL);
		LOGGER.addHandler(this.handler);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		LOGGER.removeHandler(this.handler);
		LOGGER.setUseParentHandlers(true);
		LOGGER.setLevel(null);
	}

	/**
	 * Returns the formatted messages logged at WARNING or above.
	 */
	List<String> warnings() {
		return this.records.stream()
			.filter((record) -> record.getLevel().intValue() >= Level.WARNING.intValue())
			.map((record) -> new SimpleFormatter().formatMessage(record))
			.toList();
	}

}
