package dev.sharedmemory.sample.jobs;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A job as a client sees it, read from its blocks at the moment it was asked.
 *
 * @param id the job's id
 * @param status where the job stands: {@code pending}, {@code running}, {@code done} or
 * {@code failed}
 * @param count the number of readings
 * @param submittedAt when the job was submitted
 * @param dataBlock the shared memory block that holds the readings, a {@code float64}
 * array in numpy's {@code .npy} layout
 * @param statusBlock the {@code ShareableList} that describes the job
 * @param workerPid the pid of the worker that claimed the job, {@code null} until one did
 * @param results the results once the job is done, {@code null} before
 * @param error why the job failed, {@code null} unless it did
 * @param resultsBlock the {@code ShareableList} of results the worker created through the
 * application's manager server, {@code null} if it created none
 */
public record JobView(long id, String status, int count, Instant submittedAt, String dataBlock, String statusBlock,
		@Nullable Long workerPid, @Nullable JobResults results, @Nullable String error, @Nullable String resultsBlock) {

}
