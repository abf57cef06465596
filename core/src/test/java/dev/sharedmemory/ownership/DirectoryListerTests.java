package dev.sharedmemory.ownership;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sharedmemory.ChildJvm;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.InDevShm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that every way a {@link DirectoryLister} lists a directory describes the same
 * planted directory the same way, field by field, whatever the JDK: the foreign function
 * one (on JDK 22 and later, native access enabled as the build enables it), {@code find},
 * and the JDK alone, which cannot know allocations. Names are hostile; entries vanish
 * between the listing and their description.
 */
class DirectoryListerTests {

	// Past the foreign function lister's threshold (1,024): two threads describe them.
	private static final int MANY = 1200;

	private static final String NEWLINE = "line\nbreak";

	private static final String ANSI = "\u001b[31mred\u001b[0m\u001b]0;title\u0007";

	private static final String LONGEST = "x".repeat(255);

	@TempDir(factory = InDevShm.class)
	Path root;

	private Path path;

	@BeforeEach
	void setUp() throws IOException {
		this.path = Files.createDirectory(this.root.resolve("shm"));
	}

	@Test
	void theBuildEnablesNativeAccessOnJdk22AndLater() {
		// Else the comparisons below would leave the foreign function lister out.
		assertThat(NativeLister.ifEnabled() != null).isEqualTo(Runtime.version().feature() >= 22);
	}

	// Whoever did not opt in gets find, and no warning from the JDK.
	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void aJvmListsNativelyOnlyWhereNativeAccessIsEnabledAndPrintsNoWarning(boolean enabled) throws Exception {
		Files.createFile(this.path.resolve("block"));
		ChildJvm child = ChildJvm.run(enabled ? List.of("--enable-native-access=ALL-UNNAMED") : List.of(),
				TakeCensus.class, this.path.toString());

		assertThat(child.err()).isEmpty();
		assertThat(child.exitValue()).isZero();
		boolean foreign = enabled && Runtime.version().feature() >= 22;
		assertThat(child.out()).isEqualTo(foreign + " block 0\n");
	}

	@ParameterizedTest
	@MethodSource("sources")
	void everySourceDescribesThePlantedDirectoryAsFindDoes(String source) throws Exception {
		plant();

		Map<String, DirectoryLister.Stat> found = byName(list(find(), () -> {
		}));
		DirectoryLister.Listing listing = list(lister(source), () -> {
		});

		assertThat(listing.skipped()).isZero();
		assertThat(byName(listing)).containsOnlyKeys(found.keySet())
			.allSatisfy((name, stat) -> assertThat(stat).isEqualTo(expected(source, found.get(name))));
	}

	@ParameterizedTest
	@MethodSource("sources")
	void everySourceDescribesManyEntriesAsFindDoes(String source) throws Exception {
		plant();
		for (int i = 0; i < MANY; i++) {
			Files.writeString(this.path.resolve("block-" + i), "x".repeat(i));
		}

		Map<String, DirectoryLister.Stat> found = byName(list(find(), () -> {
		}));
		DirectoryLister.Listing listing = list(lister(source), () -> {
		});

		assertThat(found).hasSize(MANY + 14);
		assertThat(byName(listing)).containsOnlyKeys(found.keySet())
			.allSatisfy((name, stat) -> assertThat(stat).isEqualTo(expected(source, found.get(name))));
	}

	@Test
	void findDescribesEachKindOfEntryAsLstatDoes() throws Exception {
		plant();

		Map<String, DirectoryLister.Stat> found = byName(list(find(), () -> {
		}));

		assertThat(found.get("empty").allocatedBytes()).isZero();
		assertThat(found.get("untouched").size()).isEqualTo(1 << 20);
		assertThat(found.get("untouched").allocatedBytes()).isZero();
		assertThat(found.get("one-page").allocatedBytes()).isEqualTo(4096);
		assertThat(found.get("written").size()).isEqualTo(10_000);
		assertThat(found.get("written").allocatedBytes()).isEqualTo(12_288);
		assertThat(found.get("a-link").type()).isEqualTo(DirectoryEntry.Type.SYMBOLIC_LINK);
		assertThat(found.get("a-link").size()).isEqualTo("written".length());
		assertThat(found.get("a-directory").type()).isEqualTo(DirectoryEntry.Type.DIRECTORY);
		assertThat(found.get("a-fifo").type()).isEqualTo(DirectoryEntry.Type.OTHER);
		assertThat(found.get("written").permissions()).isEqualTo(0640);
		assertThat(found.get("written").user()).isEqualTo(System.getProperty("user.name"));
		assertThat(found).containsKeys(NEWLINE, ANSI, LONGEST);
		assertThat(found.get("bad-\uFFFD\uFFFD").rawName()).isEqualTo("bad-%FF%FE");
		assertThat(found.get("sp ace!+\uFFFD").rawName()).isEqualTo("sp%20ace%21%2B%FF");
		assertThat(found.get("\uFFFDlead").rawName()).isEqualTo("%FDlead");
		assertThat(found.get("\uFFFD-dir").rawName()).isEqualTo("%FC-dir");
		// The JDK cannot make it a Path: its owner's name comes from another entry.
		assertThat(found.get("bad-\uFFFD\uFFFD").user()).isEqualTo(System.getProperty("user.name"));
	}

	@Test
	void listingLeavesNoDescriptorOfTheDirectoryOpen() throws Exception {
		plant();

		assertThat(DirectoryLister.of(this.path).list().entries()).isNotEmpty();

		assertThat(descriptorsOf(this.path)).isZero();
	}

	@ParameterizedTest
	@MethodSource("sources")
	void anEntryThatVanishesBetweenListingAndDescriptionIsSkippedAndCounted(String source) throws Exception {
		// find describes as it lists: only an entry behind a full pipe (64 KiB) is listed
		// and not yet described when the first description is read. The JDK reads the
		// whole directory first.
		for (int i = 0; i < 1501; i++) {
			Files.createFile(this.path.resolve(String.format("%0255d", i)));
		}
		Path victim = null;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.path)) {
			for (Path entry : entries) {
				victim = entry;
			}
		}
		Path last = victim;

		DirectoryLister.Listing listing = list(lister(source), () -> {
			try {
				Files.delete(last);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});

		assertThat(listing.skipped()).isEqualTo(1);
		assertThat(listing.entries()).hasSize(1500)
			.extracting(DirectoryLister.Stat::name)
			.doesNotContain(last.getFileName().toString());
	}

	static Stream<String> sources() {
		Stream<String> others = Stream.of("find", "jdk");
		return (NativeLister.ifEnabled() != null) ? Stream.concat(Stream.of("native"), others) : others;
	}

	private static DirectoryLister.Source find() {
		return new FindLister("find");
	}

	private static DirectoryLister.Source lister(String source) {
		return switch (source) {
			case "native" -> NativeLister.ifEnabled();
			case "find" -> find();
			default -> new JdkLister();
		};
	}

	private DirectoryLister.Listing list(DirectoryLister.Source source, Runnable whileListing) throws IOException {
		DirectoryLister.Listing listing = source.list(this.path, whileListing);
		assertThat(listing).isNotNull();
		return listing;
	}

	/**
	 * Returns what the given source should say of an entry {@code find} described: the
	 * same, but that the JDK cannot know its allocation.
	 */
	private static DirectoryLister.Stat expected(String source, DirectoryLister.Stat found) {
		if (!source.equals("jdk")) {
			return found;
		}
		return new DirectoryLister.Stat(found.name(), found.rawName(), found.type(), found.inode(), null, found.size(),
				found.permissions(), found.uid(), found.user(), found.lastModified());
	}

	/**
	 * Plants one entry of each kind: regular files with and without allocation, a link, a
	 * directory, a FIFO, and hostile names.
	 */
	private void plant() throws Exception {
		Files.createFile(this.path.resolve("empty"));
		try (RandomAccessFile file = new RandomAccessFile(this.path.resolve("untouched").toFile(), "rw")) {
			file.setLength(1 << 20);
		}
		try (RandomAccessFile file = new RandomAccessFile(this.path.resolve("one-page").toFile(), "rw")) {
			file.setLength(1 << 20);
			file.write(1);
		}
		Path written = Files.write(this.path.resolve("written"), new byte[10_000]);
		Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-r-----"));
		Files.createSymbolicLink(this.path.resolve("a-link"), Path.of("written"));
		Files.createDirectory(this.path.resolve("a-directory"));
		for (String name : List.of(NEWLINE, ANSI, LONGEST)) {
			Files.writeString(this.path.resolve(name), name);
		}
		// Not UTF-8: the JVM cannot make such names from a String, Python makes them from
		// bytes. One with characters a URI leaves as they are, one that is not so from
		// its
		// first byte, and a directory (whose URI ends with a slash).
		run("python3", "-c",
				"import os, sys; d = sys.argv[1].encode(); os.mkfifo(d + b'/a-fifo'); "
						+ "open(d + b'/bad-\\xff\\xfe', 'w').write('y'); open(d + b'/sp ace!+\\xff', 'w').write('zz'); "
						+ "open(d + b'/\\xfdlead', 'w').write('w'); os.mkdir(d + b'/\\xfc-dir')",
				this.path.toString());
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).inheritIO().start();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isZero();
	}

	private static long descriptorsOf(Path directory) throws IOException {
		try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
			return descriptors.filter((descriptor) -> directory.equals(target(descriptor))).count();
		}
	}

	private static Path target(Path descriptor) {
		try {
			return Files.readSymbolicLink(descriptor);
		}
		catch (IOException ex) {
			// The descriptor of the listing itself, closed by now.
			return null;
		}
	}

	private static Map<String, DirectoryLister.Stat> byName(DirectoryLister.Listing listing) {
		return listing.entries().stream().collect(Collectors.toMap(DirectoryLister.Stat::name, Function.identity()));
	}

	/**
	 * Takes a census of a directory, then prints whether the foreign function lister
	 * exists, and each entry's name and allocation.
	 */
	static final class TakeCensus {

		public static void main(String[] args) {
			StringBuilder out = new StringBuilder().append(NativeLister.ifEnabled() != null);
			for (DirectoryEntry entry : new DirectoryCensusTaker(Path.of(args[0])).take().entries()) {
				out.append(' ').append(entry.name()).append(' ').append(entry.allocatedBytes());
			}
			System.out.println(out);
		}

	}

}
