package dev.sharedmemory.sample.jobs;

/**
 * The statistics the worker computed for a job.
 *
 * @param mean the arithmetic mean
 * @param min the smallest reading
 * @param max the largest reading
 * @param stddev the population standard deviation, {@code sqrt(sum((x - mean)^2) / n)}
 * @param p95 the 95th percentile, interpolated linearly between the closest ranks
 * (numpy's default)
 */
public record JobResults(double mean, double min, double max, double stddev, double p95) {

}
