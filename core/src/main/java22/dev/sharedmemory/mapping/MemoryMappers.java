package dev.sharedmemory.mapping;

/**
 * Chooses the {@link MemoryMapper} for JDK 22 and later: the foreign memory one, which unmaps on close. This class
 * replaces the Java 17 one in the multi-release JAR. The system property {@value #MAPPING_PROPERTY} set to
 * {@code nio} keeps the Java 17 implementation instead, to compare the two on one JDK or to fall back.
 */
final class MemoryMappers {

	static final String MAPPING_PROPERTY = "dev.sharedmemory.mapping";

	static final MemoryMapper BEST = "nio".equals(System.getProperty(MAPPING_PROPERTY)) ? new NioMemoryMapper()
			: new ForeignMemoryMapper();

	private MemoryMappers() {
	}

}
