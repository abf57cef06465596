package dev.sharedmemory.autoconfigure;

import java.io.File;
import java.time.Duration;

import dev.sharedmemory.SharedMemoryDirectory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.DeprecatedConfigurationProperty;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties for shared memory, under {@code shared-memory}. They validate
 * themselves when bound, so that an invalid value fails start-up with a message naming
 * its key, its value and what is wrong with it.
 */
@ConfigurationProperties("shared-memory")
public class SharedMemoryProperties implements Validator {

	/**
	 * Whether to auto-configure a SharedMemoryManager with its endpoint, health indicator
	 * and metrics.
	 */
	private boolean enabled = true;

	/**
	 * Directory, on a tmpfs, of the blocks the application's SharedMemoryManager creates
	 * and tracks. Defaults to the JVM's default directory: the
	 * 'dev.sharedmemory.directory' system property, else /dev/shm. The static
	 * SharedMemory and ShareableList factories always use the JVM's default directory and
	 * are not tracked.
	 */
	// A File, as Boot's own paths are: /actuator/configprops shows its absolute path,
	// where a Path shows a URI.
	private File directory = SharedMemoryDirectory.defaultDirectory().path().toFile();

	/**
	 * Whether to unlink every block created through the manager when the application
	 * stops. When false, the blocks outlive the application.
	 */
	private boolean unlinkOnShutdown = true;

	/**
	 * Whether to unlink, at start, the blocks that applications which died without
	 * unlinking them (kill -9, the OOM killer) created through a manager, as the records
	 * those managers keep in the directory name them. Blocks of running applications, of
	 * other users and blocks no record names are never touched.
	 */
	private boolean reclaimOrphans = true;

	private final Health health = new Health();

	private final Metrics metrics = new Metrics();

	/**
	 * {@return whether to auto-configure a SharedMemoryManager}
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Sets whether to auto-configure a SharedMemoryManager.
	 * @param enabled {@code false} to leave it out
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * {@return the directory of the blocks the manager creates and tracks}
	 */
	public File getDirectory() {
		return this.directory;
	}

	/**
	 * Sets the directory of the blocks the manager creates and tracks.
	 * @param directory a directory on a tmpfs
	 */
	public void setDirectory(File directory) {
		this.directory = directory;
	}

	/**
	 * {@return whether the manager unlinks its blocks when the application stops}
	 */
	public boolean isUnlinkOnShutdown() {
		return this.unlinkOnShutdown;
	}

	/**
	 * Sets whether the manager unlinks its blocks when the application stops.
	 * @param unlinkOnShutdown {@code false} to let the blocks outlive the application
	 */
	public void setUnlinkOnShutdown(boolean unlinkOnShutdown) {
		this.unlinkOnShutdown = unlinkOnShutdown;
	}

	/**
	 * {@return whether to unlink, at start, the blocks of managers that died}
	 */
	public boolean isReclaimOrphans() {
		return this.reclaimOrphans;
	}

	/**
	 * Sets whether to unlink, at start, the blocks of managers that died.
	 * @param reclaimOrphans {@code false} to leave them in the directory
	 */
	public void setReclaimOrphans(boolean reclaimOrphans) {
		this.reclaimOrphans = reclaimOrphans;
	}

	/**
	 * {@return the health indicator properties of the deprecated key}
	 */
	public Health getHealth() {
		return this.health;
	}

	/**
	 * {@return the metrics properties}
	 */
	public Metrics getMetrics() {
		return this.metrics;
	}

	/**
	 * Tells whether this validator validates the given class.
	 * @param type the class
	 * @return {@code true} for {@code SharedMemoryProperties}
	 */
	@Override
	public boolean supports(Class<?> type) {
		return SharedMemoryProperties.class.isAssignableFrom(type);
	}

	/**
	 * Rejects the values no shared memory set-up can work with.
	 * @param target the properties
	 * @param errors where to report each invalid value, under its property path
	 */
	@Override
	public void validate(Object target, Errors errors) {
		SharedMemoryProperties properties = (SharedMemoryProperties) target;
		DataSize minFree = properties.getHealth().getMinFree();
		if (minFree != null && minFree.isNegative()) {
			errors.rejectValue("health.minFree", "negative", "must be greater than or equal to 0");
		}
		Duration refresh = properties.getMetrics().getPerBlockRefresh();
		if (refresh.isNegative() || refresh.isZero()) {
			errors.rejectValue("metrics.perBlockRefresh", "notPositive", "must be positive");
		}
	}

	/**
	 * Health indicator properties, kept for the deprecated key only: the health indicator
	 * is configured under {@code management.health.sharedmemory}, where Spring Boot keeps
	 * its own.
	 */
	public static class Health {

		/**
		 * Minimum usable space in the shared memory directory below which the health
		 * indicator reports DOWN.
		 */
		private @Nullable DataSize minFree;

		/**
		 * {@return the deprecated health threshold, {@code null} if not set}
		 */
		@DeprecatedConfigurationProperty(replacement = "management.health.sharedmemory.threshold", since = "0.2.0")
		public @Nullable DataSize getMinFree() {
			return this.minFree;
		}

		/**
		 * Sets the deprecated health threshold.
		 * @param minFree the minimum usable space, or {@code null}
		 */
		public void setMinFree(@Nullable DataSize minFree) {
			this.minFree = minFree;
		}

	}

	/**
	 * Metrics properties.
	 */
	public static class Metrics {

		/**
		 * Whether to register a gauge per managed block, tagged with the block's name.
		 * Each block adds a time series, so leave this off where blocks come and go by
		 * the thousand.
		 */
		private boolean perBlock = false;

		/**
		 * How often the per-block gauges follow the blocks the manager tracks: gauges of
		 * new blocks are added and those of unlinked blocks removed.
		 */
		private Duration perBlockRefresh = Duration.ofSeconds(10);

		/**
		 * {@return whether to register a gauge per managed block}
		 */
		public boolean isPerBlock() {
			return this.perBlock;
		}

		/**
		 * Sets whether to register a gauge per managed block.
		 * @param perBlock {@code true} for a gauge per block
		 */
		public void setPerBlock(boolean perBlock) {
			this.perBlock = perBlock;
		}

		/**
		 * {@return how often the per-block gauges follow the tracked blocks}
		 */
		public Duration getPerBlockRefresh() {
			return this.perBlockRefresh;
		}

		/**
		 * Sets how often the per-block gauges follow the tracked blocks.
		 * @param perBlockRefresh a positive duration
		 */
		public void setPerBlockRefresh(Duration perBlockRefresh) {
			this.perBlockRefresh = perBlockRefresh;
		}

	}

}
