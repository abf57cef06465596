/**
 * Test support for applications that use the starter:
 * {@link AutoConfigureTestSharedMemory} gives each test context a private shared memory
 * directory, and {@link TestSharedMemoryDirectory} tells which blocks the code under test
 * left in it. Needs {@code spring-test} on the class path, as every Spring test has.
 */
@NullMarked
package dev.sharedmemory.autoconfigure.test;

import org.jspecify.annotations.NullMarked;
