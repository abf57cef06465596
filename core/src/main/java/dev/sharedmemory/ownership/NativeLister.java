package dev.sharedmemory.ownership;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * Lists a directory through the foreign function API: on JDK 17 to 21 there is none, so
 * there is no such lister. The multi-release JAR replaces this class on JDK 22 and later
 * with one that calls {@code getdents64(2)} and {@code statx(2)}
 * ({@code src/main/java22}).
 */
final class NativeLister implements DirectoryLister.Source {

	private NativeLister() {
	}

	/**
	 * Returns the lister, if this JDK has one and native access is enabled.
	 * @return {@code null}: not on this JDK
	 */
	static @Nullable NativeLister ifEnabled() {
		return null;
	}

	@Override
	public DirectoryLister.@Nullable Listing list(Path directory, Runnable whileListing) {
		return null;
	}

}
