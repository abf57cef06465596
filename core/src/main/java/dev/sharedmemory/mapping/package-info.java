/**
 * The seam between a block and the JDK's way of mapping memory: {@code FileChannel.map}
 * on JDK 17 to 21, and {@code java.lang.foreign} on JDK 22 and later (from the
 * multi-release JAR's {@code META-INF/versions/22}). Not API: public only so that
 * {@code dev.sharedmemory} can use it, and free to change in any release.
 */
@NullMarked
package dev.sharedmemory.mapping;

import org.jspecify.annotations.NullMarked;
