/**
 * The sample application: a Spring Boot service that hands readings to a Python worker
 * through shared memory.
 */
@NullMarked
package dev.sharedmemory.sample;

import org.jspecify.annotations.NullMarked;
