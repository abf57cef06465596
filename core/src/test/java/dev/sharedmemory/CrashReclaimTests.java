package dev.sharedmemory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.sharedmemory.ownership.OwnerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real processes, really killed: a JVM creates blocks through a manager in a directory on
 * {@code /dev/shm} and is killed with {@code SIGKILL}; the next manager to start there
 * unlinks exactly that JVM's blocks, and nothing of a process still running beside it,
 * nor a block no manager created. A JVM stopped with {@code SIGTERM} whose shutdown hook
 * shuts its manager down leaves neither blocks nor a record.
 */
class CrashReclaimTests {

	private final List<Process> children = new ArrayList<>();

	@RegisterExtension
	final Managers managers = new Managers();

	private Path path;

	private SharedMemoryDirectory directory;

	@BeforeEach
	void createDirectory() throws IOException {
		this.path = Files.createTempDirectory(DevShm.PATH, "shared-memory-crash-");
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@AfterEach
	void killChildrenAndRemoveDirectory() throws Exception {
		for (Process child : this.children) {
			child.destroyForcibly();
			child.waitFor(1, TimeUnit.MINUTES);
		}
		this.managers.shutdownAll();
		try (Stream<Path> left = Files.list(this.path)) {
			for (Path file : left.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(this.path);
	}

	@Test
	void theBlocksOfAKilledProcessAreReclaimedAndNothingElse() throws Exception {
		SharedMemoryManager beside = started();
		Set<String> besides = Set.of(beside.sharedMemory(300).name(), beside.sharedMemory(400).name());
		this.directory.create("foreign", 64).close();
		Child killed = startChild(4, false);
		Child running = startChild(2, false);

		killed.process.destroyForcibly();
		assertThat(killed.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(killed.process.exitValue()).isEqualTo(128 + 9);
		assertThat(blocks()).containsAll(killed.blocks.keySet());
		assertThat(records()).hasSize(3);

		SharedMemoryManager next = started();
		assertThat(next.reclaimedBlocks()).isEqualTo(5);
		assertThat(next.reclaimedBytes()).isEqualTo(killed.blocks.values().stream().mapToLong(Long::longValue).sum());
		Set<String> expected = new HashSet<>(besides);
		expected.add("foreign");
		expected.addAll(running.blocks.keySet());
		assertThat(blocks()).isEqualTo(expected);
		assertThat(records()).hasSize(2)
			.noneMatch((record) -> record.startsWith(OwnerRecord.FILE_PREFIX + killed.process.pid() + "-"));

		// Once the other process is killed too, its blocks go at the next start, and only
		// they.
		running.process.destroyForcibly();
		assertThat(running.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(started().reclaimedBlocks()).isEqualTo(3);
		expected.removeAll(running.blocks.keySet());
		assertThat(blocks()).isEqualTo(expected);
		this.directory.unlink("foreign");
	}

	@Test
	void theBlocksAKilledProcessTrackedForPythonClientsAreReclaimedAsItsOwn() throws Exception {
		Child killed = startChild(List.of("manager-tracking", this.path.toString(), "3"), 3);
		killed.process.destroyForcibly();
		assertThat(killed.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(blocks()).isEqualTo(killed.blocks.keySet());

		SharedMemoryManager next = started();
		assertThat(next.reclaimedBlocks()).isEqualTo(3);
		assertThat(next.reclaimedBytes()).isEqualTo(2000 + 2001 + 2002);
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void aTerminatedProcessWhoseHookShutsItsManagerDownLeavesNothing() throws Exception {
		Child terminated = startChild(3, true);
		assertThat(blocks()).isEqualTo(terminated.blocks.keySet());
		assertThat(records()).hasSize(1);
		terminated.process.destroy();
		assertThat(terminated.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(terminated.process.exitValue()).isEqualTo(128 + 15);
		assertThat(this.path).isEmptyDirectory();
	}

	private Child startChild(int blocks, boolean hook) throws Exception {
		return startChild(List.of("manager", this.path.toString(), Integer.toString(blocks), hook ? "hook" : "no-hook"),
				blocks + 1);
	}

	private Child startChild(List<String> arguments, int blocks) throws Exception {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
						"-Xshare:auto", "-cp",
						location(SharedMemory.class) + File.pathSeparator + location(ChildProcessMain.class),
						ChildProcessMain.class.getName()));
		command.addAll(arguments);
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		this.children.add(process);
		BufferedReader output = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
		Map<String, Long> created = new LinkedHashMap<>();
		List<String> lines = new ArrayList<>();
		for (String line = output.readLine(); line != null && !line.equals("ready"); line = output.readLine()) {
			lines.add(line);
			if (line.startsWith("block ")) {
				String[] parts = line.split(" ");
				created.put(parts[1], Long.parseLong(parts[2]));
			}
		}
		assertThat(created).as("blocks the child created; it said %s", lines).hasSize(blocks);
		return new Child(process, created);
	}

	private SharedMemoryManager started() {
		return this.managers.started(this.directory);
	}

	private Set<String> blocks() throws IOException {
		return Managers.blockFiles(this.path);
	}

	private Set<String> records() throws IOException {
		return Managers.recordFiles(this.path);
	}

	private static String location(Class<?> type) throws Exception {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

	private record Child(Process process, Map<String, Long> blocks) {
	}

}
