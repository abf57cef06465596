package dev.sharedmemory.sample.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the application runs its Python worker.
 *
 * @param enabled whether the application starts and supervises the worker; turn off to
 * run {@code worker.py --poll} yourself
 * @param command the command that runs a Python 3.9+ interpreter, followed by its options
 * if any
 * @param script the worker script; {@code null} for the one bundled with the application
 * @param restartDelay how long to wait before restarting a worker that died; doubled for
 * each worker in a row that dies within a minute, up to 32 times this
 * @param stopTimeout how long a worker may take to finish its job and exit once told to
 * stop, before it is killed
 */
@ConfigurationProperties("sample.worker")
public record WorkerProperties(@DefaultValue("true") boolean enabled, @DefaultValue("python3") List<String> command,
		@Nullable Path script, @DefaultValue("1s") Duration restartDelay, @DefaultValue("5s") Duration stopTimeout) {

	/**
	 * Creates the settings.
	 * @throws IllegalArgumentException if the command is empty
	 */
	public WorkerProperties {
		if (command.isEmpty()) {
			throw new IllegalArgumentException("sample.worker.command must name a Python interpreter");
		}
	}

}
