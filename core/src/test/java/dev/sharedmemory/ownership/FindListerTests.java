package dev.sharedmemory.ownership;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import dev.sharedmemory.DirectoryEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests how a {@link FindLister} reads what {@code find} prints, field by field, with a
 * stand-in {@code find} that prints what a test wrote for it: numbers in every base and
 * size {@code find} uses, times before the epoch and without all their digits, kinds of
 * file, raw names, errors, and a {@code find} that fails.
 */
class FindListerTests {

	@TempDir
	Path root;

	private Path directory;

	private Path find;

	@BeforeEach
	void setUp() throws IOException {
		this.directory = Files.createDirectory(this.root.resolve("listed"));
		// Prints the planted output and errors, exits with the planted status (or, when
		// told to linger, closes its output and sleeps), and writes down its arguments,
		// one
		// invocation a line.
		this.find = Files.writeString(this.root.resolve("find"),
				"#!/bin/sh\nd=$(dirname \"$0\")\nprintf '%s\\n' \"$*\" >> \"$d/invocations\"\n"
						+ "cat \"$d/out\" 2>/dev/null\ncat \"$d/err\" >&2 2>/dev/null\n"
						+ "[ -f \"$d/linger\" ] && { exec >&- 2>&-; exec sleep 10; }\nexit $(cat \"$d/status\" 2>/dev/null || echo 0)\n");
		Files.setPosixFilePermissions(this.find, PosixFilePermissions.fromString("rwx------"));
	}

	@Test
	void readsEveryFieldOfAnEntry() throws Exception {
		print(record("f", "9223372036854775807", "8", "10000", "7640", "4294967", "1764680000.1234567890",
				bytes("block")));

		DirectoryLister.Stat stat = only(list());

		assertThat(stat).isEqualTo(new DirectoryLister.Stat("block", null, DirectoryEntry.Type.REGULAR_FILE,
				Long.MAX_VALUE, 4096L, 10000, 07640, 4294967, "4294967", Instant.ofEpochSecond(1764680000, 123456789)));
	}

	@Test
	void readsEachKindOfFileFromItsLetter() throws Exception {
		print(record("d", "1", "0", "0", "755", "0", "0.0000000000", bytes("d")),
				record("l", "2", "0", "0", "777", "0", "0.0000000000", bytes("l")),
				record("p", "3", "0", "0", "600", "0", "0.0000000000", bytes("p")),
				record("s", "4", "0", "0", "600", "0", "0.0000000000", bytes("s")),
				record("f", "5", "0", "0", "600", "0", "0.0000000000", bytes("f")));

		assertThat(list().entries()).extracting(DirectoryLister.Stat::type)
			.containsExactly(DirectoryEntry.Type.DIRECTORY, DirectoryEntry.Type.SYMBOLIC_LINK,
					DirectoryEntry.Type.OTHER, DirectoryEntry.Type.OTHER, DirectoryEntry.Type.REGULAR_FILE);
	}

	@Test
	void readsTimesBeforeTheEpochWithoutAFractionAndWithFewerDigits() throws Exception {
		print(time("-2.2500000010"), time("12"), time("5.25"), time("-7"), time("0.0000000019"));

		assertThat(list().entries()).extracting(DirectoryLister.Stat::lastModified)
			.containsExactly(Instant.ofEpochSecond(-2, 250_000_001), Instant.ofEpochSecond(12),
					Instant.ofEpochSecond(5, 250_000_000), Instant.ofEpochSecond(-7), Instant.ofEpochSecond(0, 1));
	}

	@Test
	void anEmptyOrUnreadableNumberIsNotFindsFormatAndTheNextSourceLists() throws Exception {
		for (String size : List.of("", "12a", "-1", "99999999999999999999")) {
			print(record("f", "1", "0", size, "600", "0", "0.0000000000", bytes("block")));

			assertThat(new FindLister(this.find.toString()).list(this.directory, () -> {
			})).as(size).isNull();
		}
		print(record("f", "1", "0", "0", "680", "0", "0.0000000000", bytes("block")));
		assertThat(new FindLister(this.find.toString()).list(this.directory, () -> {
		})).as("an octal mode").isNull();
	}

	@Test
	void aNameThatIsNotTheJvmsKeepsItsBytesPercentEncoded() throws Exception {
		print(record("f", "1", "0", "0", "600", "0", "0.0000000000",
				concat(bytes("azAZ09`{@[:-._~ /"), new byte[] { (byte) 0xff })));

		DirectoryLister.Stat stat = only(list());

		assertThat(stat.name()).isEqualTo("azAZ09`{@[:-._~ /\uFFFD");
		assertThat(stat.rawName()).isEqualTo("azAZ09%60%7B%40%5B%3A-._~%20%2F%FF");
	}

	@Test
	void anOwnerWhoseNameCannotBeLookedUpIsShownByUserId() throws Exception {
		// Not in the directory: nothing to ask its owner's name of.
		print(record("f", "1", "0", "0", "600", "4242", "0.0000000000", bytes("gone")));

		assertThat(only(list()).user()).isEqualTo("4242");
	}

	@Test
	void theOwnerOfAnEntryInTheDirectoryIsNamedFromItsFirstEntry() throws Exception {
		Path file = Files.createFile(this.directory.resolve("owned"));
		int uid = (Integer) Files.getAttribute(file, "unix:uid");
		String owner = Files.getOwner(file).getName();
		print(record("f", "1", "0", "0", "600", Integer.toString(uid), "0.0000000000", bytes("owned")));

		assertThat(owner).isNotEqualTo(Integer.toString(uid));
		assertThat(only(list()).user()).isEqualTo(owner);
	}

	@Test
	void eachLineOfErrorsIsAnEntrySkipped() throws Exception {
		print(time("1"), time("2"));
		// More than one read's worth.
		Files.writeString(this.root.resolve("err"), "find: 'listed/gone': No such file or directory\n".repeat(3000));
		Files.writeString(this.root.resolve("status"), "1");

		DirectoryLister.Listing listing = list();

		assertThat(listing.entries()).hasSize(2);
		assertThat(listing.skipped()).isEqualTo(3000);
	}

	@Test
	void aPartialLastEntryIsDropped() throws Exception {
		byte[] whole = time("1");
		print(whole, Arrays.copyOf(whole, whole.length - 3));

		assertThat(list().entries()).hasSize(1);
	}

	@Test
	void aFindThatPrintsNothingListsAnEmptyDirectoryOrFails() throws Exception {
		assertThat(list().entries()).isEmpty();

		Files.writeString(this.root.resolve("err"), "find: unknown predicate `-printf'\n");
		Files.writeString(this.root.resolve("status"), "1");

		assertThat(new FindLister(this.find.toString()).list(this.directory, () -> {
		})).isNull();
	}

	@Test
	void oneProcessListsAndDescribesEveryEntryOfTheDirectoryOnly() throws Exception {
		print(time("1"));

		assertThat(list().entries()).hasSize(1);
		assertThat(invocations()).containsExactly(
				"-H " + this.directory + " -mindepth 1 -maxdepth 1 -printf %y\\0%i\\0%b\\0%s\\0%m\\0%U\\0%T@\\0%f\\0");
	}

	@Test
	void anInterruptedCallerGetsNoListingAndStaysInterrupted() throws Exception {
		print(time("1"));
		// Still running when the listing waits for it to end.
		Files.createFile(this.root.resolve("linger"));

		Thread.currentThread().interrupt();
		DirectoryLister.Listing listing = new FindLister(this.find.toString()).list(this.directory, () -> {
		});

		assertThat(Thread.interrupted()).isTrue();
		assertThat(listing).isNull();
	}

	private DirectoryLister.Listing list() throws IOException {
		DirectoryLister.Listing listing = new FindLister(this.find.toString()).list(this.directory, () -> {
		});
		assertThat(listing).isNotNull();
		return listing;
	}

	private List<String> invocations() throws IOException {
		return Files.readAllLines(this.root.resolve("invocations"));
	}

	private void print(byte[]... records) throws IOException {
		Files.write(this.root.resolve("out"), concat(records));
	}

	private static DirectoryLister.Stat only(DirectoryLister.Listing listing) {
		assertThat(listing.skipped()).isZero();
		assertThat(listing.entries()).hasSize(1);
		return listing.entries().get(0);
	}

	private static byte[] time(String time) {
		return record("f", "1", "0", "0", "600", "0", time, bytes("t" + time));
	}

	/**
	 * Returns one entry as {@code find -printf} prints it: each field followed by a NUL.
	 */
	private static byte[] record(String type, String inode, String blocks, String size, String mode, String uid,
			String time, byte[] name) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String field : List.of(type, inode, blocks, size, mode, uid, time)) {
			out.writeBytes(bytes(field));
			out.write(0);
		}
		out.writeBytes(name);
		out.write(0);
		return out.toByteArray();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

}
