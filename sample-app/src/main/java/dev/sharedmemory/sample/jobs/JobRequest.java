package dev.sharedmemory.sample.jobs;

import org.jspecify.annotations.Nullable;

/**
 * The body of a job submission: {@code {"readings": [21.5, 22.0, ...]}}.
 *
 * @param readings the numbers to compute statistics of
 */
public record JobRequest(double @Nullable [] readings) {

}
