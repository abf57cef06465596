package dev.sharedmemory.ownership;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.sharedmemory.DirectoryCensus;
import dev.sharedmemory.DirectoryEntry;
import dev.sharedmemory.EntryCategory;
import dev.sharedmemory.InDevShm;
import dev.sharedmemory.Managers;
import dev.sharedmemory.ReclaimedOrphans;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that a {@link DirectoryCensus} lists every entry of a directory as
 * {@code lstat(2)} describes it, tells who manages each block by exactly the reclaimer's
 * rules, reads the memory each really holds, and survives the hostile names and races of
 * a directory shared with strangers. Owners are faked as in {@link OrphanReclaimTests}.
 */
class DirectoryCensusTests {

	// Above PID_MAX_LIMIT (2^22): no process ever has this id.
	private static final long DEAD_PID = (1L << 22) + 11;

	private static final long LIVE_PID = (1L << 22) + 12;

	// Enough 255-byte names to fill find's output pipe (64 KiB) and the census's
	// buffers several times over.
	private static final int FILLERS = 1500;

	@TempDir(factory = InDevShm.class)
	Path root;

	private Path path;

	private SharedMemoryDirectory directory;

	private final ProcessIdentity self = ProcessIdentity.current();

	@RegisterExtension
	final Managers managers = new Managers();

	@BeforeEach
	void setUp() throws IOException {
		this.path = Files.createDirectory(this.root.resolve("shm"));
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@Test
	void everyEntryIsCategorizedAsAReclaimNowWouldJudgeIt() throws Exception {
		SharedMemoryManager manager = this.managers.started(this.directory);
		SharedMemory application = manager.sharedMemory(4096);
		this.directory.create("other", 8192).close();
		OwnerRecord live = record(identity(LIVE_PID), "other");
		this.directory.create("orphan", 12288).close();
		abandoned(identity(DEAD_PID), "orphan");
		this.directory.create("python", 100).close();
		Files.createDirectory(this.path.resolve("a-directory"));
		// The sticky bit too: all four octal digits.
		run("chmod", "1751", this.path.resolve("a-directory").toString());
		Files.createSymbolicLink(this.path.resolve("a-link"), this.path.resolve("orphan"));
		mkfifo(this.path.resolve("a-fifo"));
		try {
			DirectoryCensus census = this.directory.census();

			assertThat(census.skipped()).isZero();
			assertThat(categories(census)).containsEntry(application.name(), EntryCategory.APPLICATION)
				.containsEntry("other", EntryCategory.OTHER_MANAGER)
				.containsEntry("orphan", EntryCategory.ORPHANED)
				.containsEntry("python", EntryCategory.UNMANAGED)
				.containsEntry("a-directory", EntryCategory.NOT_A_BLOCK)
				.containsEntry("a-link", EntryCategory.NOT_A_BLOCK)
				.containsEntry("a-fifo", EntryCategory.NOT_A_BLOCK);
			assertThat(entry(census, "a-directory").type()).isEqualTo(DirectoryEntry.Type.DIRECTORY);
			assertThat(entry(census, "a-directory").mode()).isEqualTo("1751");
			assertThat(entry(census, "a-fifo").type()).isEqualTo(DirectoryEntry.Type.OTHER);
			DirectoryEntry link = entry(census, "a-link");
			// Described, not followed: the link's own size, its target's path.
			assertThat(link.type()).isEqualTo(DirectoryEntry.Type.SYMBOLIC_LINK);
			assertThat(link.size()).isEqualTo(this.path.resolve("orphan").toString().length());
			assertThat(entry(census, "orphan").owner())
				.isEqualTo(new DirectoryEntry.Owner(DEAD_PID, "ghost", true, false));
			assertThat(entry(census, "other").owner())
				.isEqualTo(new DirectoryEntry.Owner(LIVE_PID, "ghost", true, true));
			assertThat(entry(census, application.name()).owner().pid()).isEqualTo(this.self.pid());
			assertThat(entry(census, "python").owner()).isNull();
			assertThat(census.entries()).filteredOn((entry) -> entry.category() == EntryCategory.BOOKKEEPING)
				.extracting(DirectoryEntry::name)
				.contains(live.file().getFileName().toString(), live.lockFile().getFileName().toString(),
						Managers.ownerRecord(manager).getFileName().toString());
			DirectoryEntry python = entry(census, "python");
			assertThat(python.uid()).isEqualTo(this.self.uid());
			assertThat(python.user()).isEqualTo(System.getProperty("user.name"));
			assertThat(python.mode()).isEqualTo("0600");
			assertThat(python.lastModified()).isEqualTo(
					Files.getLastModifiedTime(this.path.resolve("python"), LinkOption.NOFOLLOW_LINKS).toInstant());
			for (EntryCategory category : EntryCategory.values()) {
				List<DirectoryEntry> of = census.entries().stream().filter((e) -> e.category() == category).toList();
				assertThat(census.totals(category))
					.isEqualTo(new DirectoryCensus.Totals(of.size(), of.stream().mapToLong(DirectoryEntry::size).sum(),
							of.stream().mapToLong(DirectoryEntry::allocatedBytes).sum()));
			}
			assertThat(census.totals(EntryCategory.ORPHANED)).isEqualTo(new DirectoryCensus.Totals(1, 12288, 12288));

			ReclaimedOrphans reclaimed = manager.reclaimOrphans();
			assertThat(reclaimed.blocks()).extracting(ReclaimedOrphans.Block::name)
				.containsExactlyElementsOf(names(census, EntryCategory.ORPHANED));
			assertThat(names(this.directory.census(), EntryCategory.ORPHANED)).isEmpty();
		}
		finally {
			live.delete();
		}
	}

	@Test
	void aFileThatTookARecordedNameLaterIsNotTheOwnersBlock() throws Exception {
		this.directory.create("reused", 4096).close();
		abandoned(identity(DEAD_PID), "reused");
		Files.delete(this.path.resolve("reused"));
		this.directory.create("reused", 4096).close();

		assertThat(categories(this.directory.census())).containsEntry("reused", EntryCategory.UNMANAGED);
		assertThat(this.managers.manager(this.directory).reclaimOrphans().blocks()).isEmpty();
	}

	@Test
	void allocatedBytesAreTheMemoryABlockHoldsNotItsApparentSize() throws Exception {
		// As CPython creates a block: ftruncate, no page touched.
		try (RandomAccessFile file = new RandomAccessFile(this.path.resolve("untouched").toFile(), "rw")) {
			file.setLength(1 << 20);
		}
		// As this library creates one, reserving its pages.
		this.directory.create("reserved", 1 << 20).close();

		DirectoryCensus census = this.directory.census();

		assertThat(entry(census, "untouched").size()).isEqualTo(1 << 20);
		assertThat(entry(census, "untouched").allocatedBytes()).isZero();
		assertThat(entry(census, "reserved").allocatedBytes()).isGreaterThanOrEqualTo(1 << 20);
	}

	@Test
	void lastModifiedIsReadToTheNanosecondBeforeAndAfterTheEpoch() throws Exception {
		Instant before = Instant.EPOCH.minusNanos(1_749_999_999);
		Instant after = Instant.parse("2026-12-02T16:19:00.934619644Z");
		// Set by Python: the JDK does not set a time before the epoch.
		Process python = new ProcessBuilder("python3", "-c",
				"import os, sys; os.utime(sys.argv[1], ns=(int(sys.argv[2]),) * 2); "
						+ "os.utime(sys.argv[3], ns=(int(sys.argv[4]),) * 2)",
				Files.createFile(this.path.resolve("before")).toString(), Long.toString(-1_749_999_999L),
				Files.createFile(this.path.resolve("after")).toString(),
				Long.toString(after.getEpochSecond() * 1_000_000_000L + after.getNano()))
			.inheritIO()
			.start();
		assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(python.exitValue()).isZero();

		DirectoryCensus census = this.directory.census();

		assertThat(entry(census, "before").lastModified()).isEqualTo(before);
		assertThat(entry(census, "after").lastModified()).isEqualTo(after);
	}

	@Test
	void hostileNamesAreListedFaithfullyAndNeverBreakTheListing() throws Exception {
		String newline = "line\nbreak";
		String ansi = "\u001b[31mred\u001b[0m\u001b]0;title\u0007";
		String longest = "x".repeat(255);
		String accented = "caf\u00e9-\u65e5\u672c";
		for (String name : List.of(newline, ansi, longest, accented)) {
			Files.writeString(this.path.resolve(name), "x");
		}
		// Not UTF-8: the JVM cannot make such a name from a String, Python makes it from
		// bytes.
		Process python = new ProcessBuilder("python3", "-c",
				"import sys; open(sys.argv[1].encode() + b'/bad-\\xff\\xfe', 'w').write('y')", this.path.toString())
			.inheritIO()
			.start();
		assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(python.exitValue()).isZero();

		DirectoryCensus census = this.directory.census();

		assertThat(census.skipped()).isZero();
		assertThat(census.entries()).extracting(DirectoryEntry::name).contains(newline, ansi, longest, accented);
		assertThat(census.entries()).filteredOn((entry) -> entry.rawName() == null)
			.extracting(DirectoryEntry::name)
			.contains(newline, ansi, longest, accented);
		DirectoryEntry bad = census.entries()
			.stream()
			.filter((e) -> e.name().startsWith("bad-"))
			.findFirst()
			.orElseThrow();
		assertThat(bad.name()).isEqualTo("bad-\uFFFD\uFFFD");
		assertThat(bad.rawName()).isEqualTo("bad-%FF%FE");
		assertThat(bad.size()).isEqualTo(1);
		assertThat(bad.allocatedBytes()).isPositive();
		assertThat(census.totals(EntryCategory.UNMANAGED).count()).isEqualTo(5);
	}

	@Test
	void anEntryThatVanishesBetweenListingAndStatIsSkippedAndCounted() throws Exception {
		Path victim = plantBehindAFullPipe();

		DirectoryCensus census = taker(() -> delete(victim)).take();

		assertThat(census.skipped()).isEqualTo(1);
		assertThat(census.entries()).hasSize(FILLERS)
			.extracting(DirectoryEntry::name)
			.doesNotContain(victim.getFileName().toString());
	}

	@Test
	void anEntryThatChangesTypeBetweenListingAndStatIsDescribedAsItIsNow() throws Exception {
		Path victim = plantBehindAFullPipe();
		Path target = this.root.resolve("target");

		DirectoryCensus census = taker(() -> {
			delete(victim);
			try {
				Files.createSymbolicLink(victim, target);
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}).take();

		assertThat(census.skipped()).isZero();
		DirectoryEntry changed = entry(census, victim.getFileName().toString());
		assertThat(changed.type()).isEqualTo(DirectoryEntry.Type.SYMBOLIC_LINK);
		assertThat(changed.category()).isEqualTo(EntryCategory.NOT_A_BLOCK);
		assertThat(changed.size()).isEqualTo(target.toString().length());
	}

	// No find at all (a distroless image), and one that fails at once (BusyBox's has no
	// -printf).
	@ParameterizedTest
	@ValueSource(strings = { "/nonexistent/find", "false" })
	void withoutAGnuFindTheJdkListsTheDirectoryWithoutAllocations(String find) throws Exception {
		SharedMemoryManager manager = this.managers.started(this.directory);
		SharedMemory application = manager.sharedMemory(4096);
		this.directory.create("orphan", 8192).close();
		abandoned(identity(DEAD_PID), "orphan");
		Files.createSymbolicLink(this.path.resolve("a-link"), this.path.resolve("orphan"));

		DirectoryCensus census = new DirectoryCensusTaker(this.path, this.self, Clock.systemUTC(),
				new DirectoryLister(this.path, List.of(new FindLister(find)), () -> {
				}))
			.take();

		assertThat(categories(census)).containsEntry(application.name(), EntryCategory.APPLICATION)
			.containsEntry("orphan", EntryCategory.ORPHANED)
			.containsEntry("a-link", EntryCategory.NOT_A_BLOCK);
		assertThat(entry(census, "orphan").size()).isEqualTo(8192);
		assertThat(entry(census, "orphan").mode()).isEqualTo("0600");
		assertThat(census.entries()).extracting(DirectoryEntry::allocatedBytes).containsOnlyNulls();
	}

	/**
	 * Plants entries whose description by {@code find} fills its output pipe, and returns
	 * the entry {@code find} comes to last: it has listed it, but not yet described it,
	 * when the census reads the first entry.
	 */
	private Path plantBehindAFullPipe() throws IOException {
		for (int i = 0; i < FILLERS + 1; i++) {
			Files.createFile(this.path.resolve(String.format("%0255d", i)));
		}
		Path last = null;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(this.path)) {
			for (Path entry : entries) {
				last = entry;
			}
		}
		return last;
	}

	private DirectoryCensusTaker taker(Runnable whileListing) {
		return new DirectoryCensusTaker(this.path, this.self, Clock.systemUTC(),
				new DirectoryLister(this.path, List.of(new FindLister("find")), whileListing));
	}

	private ProcessIdentity identity(long pid) {
		return new ProcessIdentity(pid, 1, this.self.bootId(), this.self.pidNamespace(), this.self.uid(), "ghost");
	}

	/**
	 * Writes a record of the given blocks whose owner lives: this JVM holds its lock.
	 */
	private OwnerRecord record(ProcessIdentity owner, String... blocks) throws IOException {
		OwnerRecord record = OwnerRecord.in(this.path, owner);
		for (String name : blocks) {
			Path file = this.path.resolve(name);
			record.add(name, Files.size(file), ((Number) Files.getAttribute(file, "unix:ino")).longValue());
		}
		return record;
	}

	/**
	 * Writes a record of the given blocks whose owner died: the files stay, the lock
	 * goes.
	 */
	private void abandoned(ProcessIdentity owner, String... blocks) throws IOException {
		record(owner, blocks).abandon();
	}

	private static void mkfifo(Path fifo) throws Exception {
		run("mkfifo", fifo.toString());
	}

	private static void run(String... command) throws Exception {
		Process process = new ProcessBuilder(command).inheritIO().start();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).isZero();
	}

	private static void delete(Path entry) {
		try {
			Files.delete(entry);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, EntryCategory> categories(DirectoryCensus census) {
		return census.entries().stream().collect(Collectors.toMap(DirectoryEntry::name, DirectoryEntry::category));
	}

	private static DirectoryEntry entry(DirectoryCensus census, String name) {
		return census.entries().stream().filter((entry) -> entry.name().equals(name)).findFirst().orElseThrow();
	}

	private static List<String> names(DirectoryCensus census, EntryCategory category) {
		return census.entries().stream().filter((e) -> e.category() == category).map(DirectoryEntry::name).toList();
	}

}
