package dev.sharedmemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What this process has mapped from a shared memory directory, read from
 * {@code /proc/self/maps}: the kernel's own account, which no garbage collector or JDK
 * bookkeeping stands between.
 */
final class ProcessMappings {

	private static final Path MAPS = Path.of("/proc/self/maps");

	private static final String DELETED = " (deleted)";

	private ProcessMappings() {
	}

	/**
	 * Returns the mappings of one block file, also once it is unlinked.
	 */
	static List<Mapping> of(Path file) {
		return all().stream().filter((mapping) -> mapping.file().equals(file.toString())).toList();
	}

	/**
	 * Returns how many bytes of address space map the given block files, also once they
	 * are unlinked.
	 */
	static long bytesMapping(Collection<Path> files) {
		Set<String> paths = files.stream().map(Path::toString).collect(Collectors.toSet());
		return all().stream().filter((mapping) -> paths.contains(mapping.file())).mapToLong(Mapping::length).sum();
	}

	/**
	 * Returns how many bytes of address space map files of the directory, unlinked ones
	 * included.
	 */
	static long bytesMappedFrom(Path directory) {
		String prefix = directory + "/";
		return all().stream().filter((mapping) -> mapping.file().startsWith(prefix)).mapToLong(Mapping::length).sum();
	}

	private static List<Mapping> all() {
		try {
			return Files.readAllLines(MAPS).stream().map(ProcessMappings::parse).toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	// "start-end perms offset dev inode path", the path absent for anonymous memory.
	private static Mapping parse(String line) {
		String[] fields = line.split("\\s+", 6);
		String[] range = fields[0].split("-");
		String file = (fields.length < 6) ? "" : fields[5].trim();
		if (file.endsWith(DELETED)) {
			file = file.substring(0, file.length() - DELETED.length());
		}
		return new Mapping(Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16), file);
	}

	/**
	 * One mapping: its address range and the file it maps, without the kernel's
	 * {@code (deleted)} mark.
	 */
	record Mapping(long start, long end, String file) {

		long length() {
			return this.end - this.start;
		}

	}

}
