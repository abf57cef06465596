package dev.sharedmemory;

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
 * Captures what a class logs (through {@link System.Logger}, which is
 * {@code java.util.logging} here) during each test, instead of printing it, so that
 * expected warnings are asserted and a green build reads green. Register it with
 * {@code @RegisterExtension final CapturedLog log = new CapturedLog(SharedMemoryManager.class);}.
 */
public final class CapturedLog implements BeforeEachCallback, AfterEachCallback {

	private final Logger logger;

	private final List<LogRecord> records = new CopyOnWriteArrayList<>();

	private final Handler handler = new Handler() {

		@Override
		public void publish(LogRecord record) {
			CapturedLog.this.records.add(record);
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	private final SimpleFormatter formatter = new SimpleFormatter();

	private boolean useParentHandlers;

	private Level level;

	/**
	 * Captures what the given class logs.
	 * @param source the class whose logger to capture
	 */
	public CapturedLog(Class<?> source) {
		this(source.getName());
	}

	/**
	 * Captures what the given logger, and the loggers below it, log.
	 * @param loggerName the logger's name, a package's for all of its classes
	 */
	public CapturedLog(String loggerName) {
		this.logger = Logger.getLogger(loggerName);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.records.clear();
		this.useParentHandlers = this.logger.getUseParentHandlers();
		this.level = this.logger.getLevel();
		this.logger.setUseParentHandlers(false);
		this.logger.setLevel(Level.ALL);
		this.logger.addHandler(this.handler);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.logger.removeHandler(this.handler);
		this.logger.setLevel(this.level);
		this.logger.setUseParentHandlers(this.useParentHandlers);
	}

	/**
	 * Returns the messages logged at the given level, formatted, in order.
	 * @param level the level ({@code WARNING} for {@code System.Logger.Level.WARNING})
	 * @return the messages
	 */
	public List<String> messages(Level level) {
		return this.records.stream()
			.filter((record) -> record.getLevel().equals(level))
			.map(this.formatter::formatMessage)
			.toList();
	}

	/**
	 * Returns the messages logged at {@code WARNING} or above, formatted, in order.
	 * @return the messages
	 */
	public List<String> warnings() {
		return this.records.stream()
			.filter((record) -> record.getLevel().intValue() >= Level.WARNING.intValue())
			.map(this.formatter::formatMessage)
			.toList();
	}

}
