package dev.sharedmemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InDevShm}: what a killed test JVM leaves is swept, what a live one
 * holds is not.
 */
class InDevShmTests {

	@Test
	void sweepsTheDirectoriesOfDeadJvmsOnly(@TempDir Path parent) throws IOException, InterruptedException {
		Process exited = new ProcessBuilder("true").start();
		exited.waitFor();
		Path dead = Files.createDirectory(parent.resolve(InDevShm.PREFIX + exited.pid() + "-1"));
		Files.writeString(dead.resolve("psm_left"), "block");
		Files.createDirectory(dead.resolve("nested"));
		Path live = Files.createDirectory(parent.resolve(InDevShm.PREFIX + ProcessHandle.current().pid() + "-2"));
		Path legacy = Files.createDirectory(parent.resolve(InDevShm.PREFIX + "123456789"));
		assertThat(InDevShm.sweepDeadJvms(parent)).containsExactly(dead);
		assertThat(dead).doesNotExist();
		assertThat(live).isDirectory();
		assertThat(legacy).isDirectory();
	}

	// Tests that work in /dev/shm itself name their blocks as the directories are named.
	@Test
	void sweepsTheBlocksOfDeadJvmsOnly(@TempDir Path parent) throws IOException, InterruptedException {
		Process exited = new ProcessBuilder("true").start();
		exited.waitFor();
		String name = InDevShm.blockName();
		assertThat(name).startsWith(InDevShm.PREFIX + ProcessHandle.current().pid() + "-");
		Path live = Files.writeString(parent.resolve(name), "block");
		Path dead = Files.writeString(
				parent.resolve(name.replace("-" + ProcessHandle.current().pid() + "-", "-" + exited.pid() + "-")),
				"block");
		assertThat(InDevShm.sweepDeadJvms(parent)).containsExactly(dead);
		assertThat(dead).doesNotExist();
		assertThat(live).hasContent("block");
	}

	// A block under a name the library generated is swept through its JVM's ledger.
	@Test
	void unlinksTheBlocksInTheLedgersOfDeadJvmsOnly(@TempDir Path ledgers, @TempDir Path elsewhere)
			throws IOException, InterruptedException {
		Process exited = new ProcessBuilder("true").start();
		exited.waitFor();
		Path deadBlock = Files.writeString(DevShm.PATH.resolve(InDevShm.blockName()), "block");
		Path liveBlock = Files.writeString(DevShm.PATH.resolve(InDevShm.blockName()), "block");
		Path outside = Files.writeString(elsewhere.resolve("not-a-block"), "file");
		try {
			Path deadLedger = Files.writeString(ledgers.resolve(InDevShm.PREFIX + exited.pid() + "-blocks"),
					deadBlock + "\n" + outside + "\n");
			Path liveLedger = Files.writeString(
					ledgers.resolve(InDevShm.PREFIX + ProcessHandle.current().pid() + "-blocks"), liveBlock + "\n");
			assertThat(InDevShm.sweepLedgersOfDeadJvms(ledgers)).containsExactly(deadBlock);
			assertThat(deadBlock).doesNotExist();
			assertThat(deadLedger).doesNotExist();
			assertThat(outside).hasContent("file");
			assertThat(liveBlock).hasContent("block");
			assertThat(liveLedger).exists();
		}
		finally {
			Files.deleteIfExists(deadBlock);
			Files.deleteIfExists(liveBlock);
		}
	}

	// At its JVM's exit a ledger goes with the blocks still there: PIT stops a timed-out
	// minion with System.exit, amid a test that had no time to unlink its block.
	@Test
	void aLedgerSweptAtExitUnlinksTheBlocksStillThereAndGoes(@TempDir Path ledgers, @TempDir Path elsewhere)
			throws IOException {
		Path left = Files.writeString(DevShm.PATH.resolve(InDevShm.blockName()), "block");
		Path unlinkedByItsTest = DevShm.PATH.resolve(InDevShm.blockName());
		Path outside = Files.writeString(elsewhere.resolve("not-a-block"), "file");
		try {
			Path ledger = Files.writeString(ledgers.resolve(InDevShm.PREFIX + "1-blocks"),
					left + "\n" + unlinkedByItsTest + "\n" + outside + "\n");
			assertThat(InDevShm.sweepLedger(ledger)).containsExactly(left);
			assertThat(left).doesNotExist();
			assertThat(outside).hasContent("file");
			assertThat(ledger).doesNotExist();
			assertThat(InDevShm.sweepLedger(ledger)).isEmpty();
		}
		finally {
			Files.deleteIfExists(left);
		}
	}

}
