package dev.sharedmemory.ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.sharedmemory.InDevShm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests an {@link OwnerRecord}'s text as other processes and later versions read it: the
 * percent-encoding of names (printable ASCII but {@code %} as it is, every other UTF-8
 * byte as {@code %XX}), the lines a reader refuses, and what a file's name says of its
 * owner.
 */
class OwnerRecordFormatTests {

	@TempDir(factory = InDevShm.class)
	Path root;

	@Test
	void printableAsciiButThePercentSignIsWrittenAsItIs() {
		assertThat(OwnerRecord.encode("!psm_0a~")).isEqualTo("!psm_0a~");
		assertThat(OwnerRecord.encode(" %\u007f\n")).isEqualTo("%20%25%7F%0A");
		assertThat(OwnerRecord.encode("caf\u00e9")).isEqualTo("caf%C3%A9");
	}

	@Test
	void decodingRefusesWhatEncodingNeverWrites() {
		assertThat(OwnerRecord.decode("!a%41~%c3%a9")).isEqualTo("!aA~\u00e9");
		for (String refused : new String[] { "a%4", "a%", "%", "a b", "a\u007fb", "a\u0080b", "a\tb" }) {
			assertThatIllegalArgumentException().as(refused).isThrownBy(() -> OwnerRecord.decode(refused));
		}
	}

	@Test
	void aRecordsLinesThatCannotBeDecodedAreSkippedAndTheRestRead() throws IOException {
		Path record = Files.writeString(this.root.resolve(OwnerRecord.FILE_PREFIX + "7-8-00000000"),
				OwnerRecord.MAGIC + "\npid 7\nstart 8\nboot -\npidns -\nuid 0\nuser me\n" + "+ kept 10 1\n"
						+ "+ cut%4 10 2\n" + "+ del\u007f 10 3\n" + "+ notanumber x 4\n" + "+ removed 10 5\n"
						+ "- removed\n" + "- cut%4\n" + "+ half 10 6");

		OwnerRecord.Contents contents = OwnerRecord.read(record);

		assertThat(contents.owner()).isEqualTo(new ProcessIdentity(7, 8, null, null, 0, "me"));
		assertThat(contents.blocks()).containsOnlyKeys("kept");
		assertThat(contents.blocks().get("kept")).isEqualTo(new OwnerRecord.Entry(10, 1));
	}

	@Test
	void aRecordsTemporaryFileAndLockFileNameTheSameOwner() {
		String record = OwnerRecord.FILE_PREFIX + "4242-99-0a1b2c3d";

		assertThat(OwnerRecord.ownerKey(record)).isEqualTo("4242-99-0a1b2c3d");
		assertThat(OwnerRecord.ownerKey(record + OwnerRecord.TEMPORARY_SUFFIX)).isEqualTo("4242-99-0a1b2c3d");
		assertThat(OwnerRecord.lockFileName(record)).isEqualTo(OwnerRecord.LOCK_PREFIX + "4242-99-0a1b2c3d");
		assertThat(OwnerRecord.ownerKey(OwnerRecord.lockFileName(record))).isEqualTo("4242-99-0a1b2c3d");
		assertThat(OwnerRecord.ownerKey(OwnerRecord.FILE_PREFIX)).isNull();
		assertThat(OwnerRecord.ownerKey(OwnerRecord.FILE_PREFIX + OwnerRecord.TEMPORARY_SUFFIX)).isNull();
		assertThat(OwnerRecord.ownerKey("psm_4242-99-0a1b2c3d")).isNull();
	}

	@Test
	void aFilesNameSaysItsOwnersPidAndStartTimeAndNothingMore() {
		ProcessIdentity observer = new ProcessIdentity(1, 2, "boot", "pid:[3]", 1000, "observer");

		assertThat(OwnerRecord.ownerFromFileName(OwnerRecord.LOCK_PREFIX + "4242-99-0a1b2c3d", observer))
			.isEqualTo(new ProcessIdentity(4242, 99, "boot", "pid:[3]", -1, null));
		assertThat(OwnerRecord.ownerFromFileName(OwnerRecord.FILE_PREFIX + "4242-99", observer)).isNull();
		assertThat(OwnerRecord.ownerFromFileName(OwnerRecord.FILE_PREFIX + "pid-99-0a1b2c3d", observer)).isNull();
		assertThat(OwnerRecord.ownerFromFileName("psm_4242-99-0a1b2c3d", observer)).isNull();
	}

}
