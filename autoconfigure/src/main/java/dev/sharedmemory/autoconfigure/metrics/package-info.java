/**
 * Micrometer meters of the manager (blocks, bytes, operations, reclaimed orphans), of its
 * directory's space and, when asked for, of each block, and their auto-configuration.
 */
@NullMarked
package dev.sharedmemory.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
