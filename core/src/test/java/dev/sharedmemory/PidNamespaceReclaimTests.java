package dev.sharedmemory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.sharedmemory.ownership.OwnerRecord;
import dev.sharedmemory.ownership.OwnerRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash recovery across real pid namespaces, as containers sharing one {@code /dev/shm}
 * have them: each child JVM runs as process 1 of a namespace of its own
 * ({@link PidNamespaces}). A JVM killed with {@code SIGKILL} in one namespace leaves
 * blocks that a JVM in a second namespace reclaims at its start, while a JVM alive in a
 * third loses nothing; two managers in one JVM never release each other's lock. The
 * directory is a private one on {@code /dev/shm}: a tmpfs, whose inode numbers the
 * reclaimer's checks rely on.
 */
class PidNamespaceReclaimTests {

	private final List<Process> children = new ArrayList<>();

	@RegisterExtension
	final Managers managers = new Managers();

	private Path path;

	@BeforeAll
	static void pidNamespacesCanBeCreated() {
		PidNamespaces.assertAvailable();
	}

	@BeforeEach
	void createDirectory() throws IOException {
		this.path = Files.createTempDirectory(DevShm.PATH, "shared-memory-pidns-");
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
	void aKilledOwnerIsReclaimedFromAnotherNamespaceAndALiveOneInAThirdLosesNothing() throws Exception {
		Child live = startManager(2);
		Child killed = startManager(3);
		// Both are process 1, each of its own namespace: the pid in their records tells
		// them apart from nothing.
		assertThat(records()).hasSize(2).allMatch((record) -> record.startsWith(OwnerRecord.FILE_PREFIX + "1-"));

		kill(killed);
		assertThat(blocks()).containsAll(killed.blocks.keySet());

		long bytes = killed.blocks.values().stream().mapToLong(Long::longValue).sum();
		assertThat(reclaimInNewNamespace()).isEqualTo("reclaimed " + killed.blocks.size() + " " + bytes);
		assertThat(blocks()).isEqualTo(live.blocks.keySet());
		assertThat(ownerFiles()).isEqualTo(live.ownerFiles);

		// From this JVM's namespace too, the live one is alive, and nothing is left to
		// reclaim.
		assertThat(this.managers.started(SharedMemoryDirectory.of(this.path)).reclaimedBlocks()).isZero();
		assertThat(blocks()).isEqualTo(live.blocks.keySet());

		kill(live);
		assertThat(reclaimInNewNamespace()).startsWith("reclaimed " + live.blocks.size() + " ");
		assertThat(this.path).isEmptyDirectory();
	}

	@Test
	void aManagerThatReclaimsBesideALiveOneInTheSameJvmLeavesItsLockHeld() throws Exception {
		SharedMemoryManager owner = started();
		Set<String> owned = Set.of(owner.sharedMemory(100).name(), owner.sharedMemory(200).name());
		Path lock = OwnerRecords.lockFile(Managers.ownerRecord(owner));
		SharedMemoryManager reclaiming = started();
		for (int i = 0; i < 3; i++) {
			assertThat(reclaiming.reclaimOrphans().blocks()).isEmpty();
		}
		// Had the reclaimer opened the lock file, the kernel would have released the
		// owner's lock: seen from elsewhere, the owner would be dead.
		assertThat(probeInNewNamespace(lock)).isEqualTo("held");
		assertThat(reclaimInNewNamespace()).isEqualTo("reclaimed 0 0");
		assertThat(blocks()).isEqualTo(owned);
	}

	@Test
	void closingAnyDescriptorOfALockFileInItsOwnersProcessReleasesTheLock() throws Exception {
		// What the registry of held locks guards against, shown to be real: POSIX record
		// locks are per process.
		SharedMemoryManager owner = started();
		owner.sharedMemory(100);
		Path lock = OwnerRecords.lockFile(Managers.ownerRecord(owner));
		assertThat(probeInNewNamespace(lock)).isEqualTo("held");
		try (FileChannel reader = FileChannel.open(lock, StandardOpenOption.READ)) {
			assertThat(reader.size()).isZero();
		}
		assertThat(probeInNewNamespace(lock)).isEqualTo("free");
	}

	private SharedMemoryManager started() {
		return this.managers.started(SharedMemoryDirectory.of(this.path));
	}

	/**
	 * Starts a JVM in a new pid namespace that creates blocks through a manager and waits
	 * to be killed.
	 */
	private Child startManager(int blocks) throws Exception {
		Set<String> ownerFilesBefore = ownerFiles();
		Process process = start("manager", this.path.toString(), Integer.toString(blocks), "no-hook");
		BufferedReader output = reader(process);
		Map<String, Long> created = new LinkedHashMap<>();
		List<String> lines = new ArrayList<>();
		for (String line = output.readLine(); line != null && !line.equals("ready"); line = output.readLine()) {
			lines.add(line);
			if (line.startsWith("block ")) {
				String[] parts = line.split(" ");
				created.put(parts[1], Long.parseLong(parts[2]));
			}
		}
		assertThat(created).as("blocks the child created; it said %s", lines).hasSize(blocks + 1);
		Set<String> ownerFiles = new HashSet<>(ownerFiles());
		ownerFiles.removeAll(ownerFilesBefore);
		// Its record and its lock file.
		assertThat(ownerFiles).hasSize(2);
		return new Child(process, created, ownerFiles);
	}

	/**
	 * Kills the JVM of a child with {@code SIGKILL}, from this namespace (to its own, it
	 * is process 1).
	 */
	private static void kill(Child child) throws Exception {
		ProcessHandle jvm = child.process.toHandle().children().findFirst().orElseThrow();
		assertThat(jvm.destroyForcibly()).isTrue();
		assertThat(child.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(jvm.isAlive()).isFalse();
	}

	private String reclaimInNewNamespace() throws Exception {
		return runInNewNamespace("reclaim", this.path.toString());
	}

	private String probeInNewNamespace(Path lock) throws Exception {
		return runInNewNamespace("probe-lock", lock.toString());
	}

	private String runInNewNamespace(String... arguments) throws Exception {
		Process process = start(arguments);
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		// Its answer is its last line; the reclaimer's log comes before.
		return output.substring(output.lastIndexOf('\n') + 1);
	}

	private Process start(String... arguments) throws Exception {
		List<String> command = new ArrayList<>(List.of(
				// No perf data: every JVM here is process 1, and would want the same
				// /tmp/hsperfdata_<user>/1.
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
				"-Xshare:auto", "-XX:-UsePerfData", "-cp",
				location(SharedMemory.class) + File.pathSeparator + location(ChildProcessMain.class),
				ChildProcessMain.class.getName()));
		command.addAll(List.of(arguments));
		Process process = new ProcessBuilder(PidNamespaces.inNewPidNamespace(command)).redirectErrorStream(true)
			.start();
		this.children.add(process);
		return process;
	}

	private static BufferedReader reader(Process process) {
		return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
	}

	private Set<String> blocks() throws IOException {
		return Managers.blockFiles(this.path);
	}

	private Set<String> records() throws IOException {
		return Managers.recordFiles(this.path);
	}

	private Set<String> ownerFiles() throws IOException {
		try (Stream<Path> files = Files.list(this.path)) {
			return files.map((file) -> file.getFileName().toString())
				.filter(OwnerRecord::isOwnerFile)
				.collect(Collectors.toSet());
		}
	}

	private static String location(Class<?> type) throws Exception {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

	private record Child(Process process, Map<String, Long> blocks, Set<String> ownerFiles) {
	}

}
