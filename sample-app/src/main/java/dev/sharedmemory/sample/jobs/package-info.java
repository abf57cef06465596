/**
 * The jobs API: a job's readings go to the worker in a {@code ShareableList} and its
 * results come back in another.
 */
@NullMarked
package dev.sharedmemory.sample.jobs;

import org.jspecify.annotations.NullMarked;
