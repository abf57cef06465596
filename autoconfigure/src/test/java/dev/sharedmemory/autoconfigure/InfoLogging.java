package dev.sharedmemory.autoconfigure;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Turns INFO on for a logger in the test that asks for it, and back to the test
 * configuration's level after it. The tests log warnings only (logback-test.xml); one
 * that asserts an INFO line with {@code OutputCaptureExtension} calls {@link #enable()}.
 */
public final class InfoLogging implements AfterEachCallback {

	private final String loggerName;

	private final LoggingSystem loggingSystem = LoggingSystem.get(InfoLogging.class.getClassLoader());

	/**
	 * Creates an extension for the given logger and its children.
	 * @param loggerName the logger's name
	 */
	public InfoLogging(String loggerName) {
		this.loggerName = loggerName;
	}

	/**
	 * Turns INFO on until the test ends.
	 */
	public void enable() {
		this.loggingSystem.setLogLevel(this.loggerName, LogLevel.INFO);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.loggingSystem.setLogLevel(this.loggerName, null);
	}

}
