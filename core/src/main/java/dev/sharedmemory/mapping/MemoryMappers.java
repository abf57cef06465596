package dev.sharedmemory.mapping;

/**
 * Chooses the {@link MemoryMapper} for JDK 17 to 21, where {@link NioMemoryMapper} is the
 * only one. The multi-release JAR replaces this class on JDK 22 and later with one that
 * prefers the foreign memory API ({@code src/main/java22}).
 */
final class MemoryMappers {

	static final MemoryMapper BEST = new NioMemoryMapper();

	private MemoryMappers() {
	}

}
