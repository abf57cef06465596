package dev.sharedmemory.sample;

import java.util.Arrays;

/**
 * The statistics the worker computes, computed independently in Java to check its
 * results.
 *
 * @param mean the arithmetic mean
 * @param min the smallest value
 * @param max the largest value
 * @param stddev the population standard deviation, {@code sqrt(sum((x - mean)^2) / n)}
 * @param p95 the 95th percentile by linear interpolation between closest ranks (numpy's
 * default, Hyndman and Fan's type 7): with the values sorted, {@code h = (n - 1) * 0.95}
 * and {@code p95 = x[floor(h)] + (h - floor(h)) *
 * (x[floor(h) + 1] - x[floor(h)])}
 */
record Statistics(double mean, double min, double max, double stddev, double p95) {

	static Statistics of(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int n = sorted.length;
		double sum = 0;
		for (double value : sorted) {
			sum += value;
		}
		double mean = sum / n;
		double squares = 0;
		for (double value : sorted) {
			squares += (value - mean) * (value - mean);
		}
		double h = (n - 1) * 0.95;
		int low = (int) Math.floor(h);
		int high = Math.min(low + 1, n - 1);
		double p95 = sorted[low] + (h - low) * (sorted[high] - sorted[low]);
		return new Statistics(mean, sorted[0], sorted[n - 1], Math.sqrt(squares / n), p95);
	}

}
