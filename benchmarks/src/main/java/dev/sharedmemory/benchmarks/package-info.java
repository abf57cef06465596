/**
 * JMH benchmarks of shared memory, run side by side with CPython and C by
 * {@code benchmarks/run.sh}. Each class measures one workload of the performance table;
 * the figures are nanoseconds per operation.
 */
package dev.sharedmemory.benchmarks;
