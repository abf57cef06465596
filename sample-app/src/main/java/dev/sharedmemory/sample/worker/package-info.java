/**
 * The Python worker process: its script, its supervision and restarts, and its health
 * indicator.
 */
@NullMarked
package dev.sharedmemory.sample.worker;

import org.jspecify.annotations.NullMarked;
