package dev.sharedmemory.internal;

/**
 * Chooses the {@link MemoryMapper} for the running JDK. A multi-release JAR may replace this class with one that
 * prefers a newer JDK's API.
 */
final class MemoryMappers {

	static final MemoryMapper BEST = new NioMemoryMapper();

	private MemoryMappers() {
	}

}
