package dev.sharedmemory.autoconfigure.health;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Configuration properties of the {@link SharedMemoryHealthIndicator}, under
 * {@code management.health.sharedmemory} beside Spring Boot's
 * {@code management.health.diskspace}. The directory it checks is the manager's. They
 * validate themselves when bound, so that an invalid value fails start-up with a message
 * naming its key.
 */
@ConfigurationProperties("management.health.sharedmemory")
public class SharedMemoryHealthIndicatorProperties implements Validator {

	/**
	 * The threshold when none is configured.
	 */
	public static final DataSize DEFAULT_THRESHOLD = DataSize.ofMegabytes(10);

	/**
	 * Minimum usable space in the shared memory directory below which the health
	 * indicator reports DOWN. Defaults to 10MB, or to the deprecated
	 * 'shared-memory.health.min-free' when only that is set.
	 */
	private @Nullable DataSize threshold;

	/**
	 * {@return the configured threshold, {@code null} if not set}
	 */
	public @Nullable DataSize getThreshold() {
		return this.threshold;
	}

	/**
	 * Sets the minimum usable space below which the health indicator reports DOWN.
	 * @param threshold the threshold, or {@code null} for the default
	 */
	public void setThreshold(@Nullable DataSize threshold) {
		this.threshold = threshold;
	}

	@Override
	public boolean supports(Class<?> type) {
		return SharedMemoryHealthIndicatorProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		DataSize threshold = ((SharedMemoryHealthIndicatorProperties) target).getThreshold();
		if (threshold != null && threshold.isNegative()) {
			errors.rejectValue("threshold", "negative", "must be greater than or equal to 0");
		}
	}

}
