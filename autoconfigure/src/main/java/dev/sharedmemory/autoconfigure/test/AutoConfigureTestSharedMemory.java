package dev.sharedmemory.autoconfigure.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Annotation on a test class that gives each of its application contexts a private shared
 * memory directory, as Spring Boot's {@code @AutoConfigureTestDatabase} gives it a
 * private database: {@code shared-memory.directory} points at a new temporary directory,
 * which goes away, with whatever is left in it, once the context has closed and its
 * managers have unlinked their blocks. Nothing the manager does touches {@code /dev/shm},
 * and a {@link TestSharedMemoryDirectory} bean tells which blocks the code under test
 * left behind.
 * <p>
 * The static {@code SharedMemory} and {@code ShareableList} factories still use the JVM's
 * default directory, and a process that attaches by name with CPython's
 * {@code multiprocessing.shared_memory} looks in {@code /dev/shm} only: a test where
 * Python attaches to the application's blocks needs the real directory. For the same
 * reason the manager server ({@code shared-memory.server.enabled}) is off in such a
 * context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface AutoConfigureTestSharedMemory {

}
