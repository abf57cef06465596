package dev.sharedmemory.sample.jobs;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the job service.
 *
 * @param maxReadings the most readings one job may carry
 * @param maxJobs the most jobs held at once, whatever their status: each holds two shared
 * memory blocks until it is deleted
 * @param timeout how long a job may stay running before it is failed and its worker
 * stopped
 */
@ConfigurationProperties("sample.jobs")
public record JobProperties(@DefaultValue("1000000") int maxReadings, @DefaultValue("100") int maxJobs,
		@DefaultValue("60s") Duration timeout) {

	/**
	 * Creates the limits.
	 * @throws IllegalArgumentException if one is not positive
	 */
	public JobProperties {
		if (maxReadings < 1 || maxJobs < 1 || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("sample.jobs limits must be positive: max-readings=" + maxReadings
					+ ", max-jobs=" + maxJobs + ", timeout=" + timeout);
		}
	}

}
