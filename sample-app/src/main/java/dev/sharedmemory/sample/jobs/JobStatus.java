package dev.sharedmemory.sample.jobs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a job stands, as written in its list by the application and the worker.
 */
public enum JobStatus {

	/** Submitted, waiting for a worker. */
	PENDING,

	/** Claimed by a worker. */
	RUNNING,

	/** Results written. */
	DONE,

	/** Given up, with the reason in the job's error slot. */
	FAILED;

	/**
	 * Returns the status as written in the list and shown over REST.
	 * @return the lower case name
	 */
	public String text() {
		return name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Returns the status written as the given text.
	 * @param text the text, such as {@code "running"}
	 * @return the status
	 * @throws IllegalArgumentException if no status is written so
	 */
	public static JobStatus of(String text) {
		for (JobStatus status : values()) {
			if (status.text().equals(text)) {
				return status;
			}
		}
		throw new IllegalArgumentException("Unknown job status '" + text + "': expected one of "
				+ Arrays.stream(values()).map(JobStatus::text).collect(Collectors.joining(", ")));
	}

}
