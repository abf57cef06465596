package dev.sharedmemory;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CPython's {@code test_shared_memory_across_processes} in Java: a second JVM attaches to
 * a block by name and writes to it, and the first sees the write. Also shows what Java
 * does not do that Python's resource tracker did before 3.13: a process that exits
 * without unlinking leaves the block alone.
 */
class CrossProcessTests {

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	private final SharedMemoryDirectory shm = SharedMemoryDirectory.defaultDirectory();

	@Test
	void anotherProcessAttachesByNameAndItsWriteIsSeenHere() throws Exception {
		SharedMemory block = this.cleanup.create(512);
		ChildResult child = runChild(Map.of(), "attach-write", block.name(), "howdy");
		assertThat(child.status).as(child.output).isZero();
		assertThat(child.output).isEqualTo("512");
		assertThat(read(block, 5)).isEqualTo("howdy");
		child = runChild(Map.of(), "attach-write", block.name(), "HELLO");
		assertThat(child.status).as(child.output).isZero();
		assertThat(read(block, 5)).isEqualTo("HELLO");
		assertThat(this.shm.exists(block.name())).isTrue();
	}

	@Test
	void aBlockCreatedByAProcessThatExitedIsStillThere() throws Exception {
		String name = this.cleanup.newName(this.shm);
		ChildResult child = runChild(Map.of(), "create-write", name, "4096", "made elsewhere");
		assertThat(child.status).as(child.output).isZero();
		assertThat(child.output).isEqualTo("SharedMemory('" + name + "', size=4096)");
		try (SharedMemory block = SharedMemory.attach(name)) {
			assertThat(block.size()).isEqualTo(4096);
			assertThat(read(block, 14)).isEqualTo("made elsewhere");
			block.unlink();
		}
	}

	@Test
	void underANonUtf8LocaleANonAsciiNameFailsClearly(@TempDir Path directory) throws Exception {
		ChildResult child = runChild(Map.of("LC_ALL", "C"), "create-non-ascii", directory.toString());
		assertThat(child.status).as(child.output).isEqualTo(3);
		assertThat(child.output).startsWith("Shared memory block name 'bl")
			.contains("cannot be written in this JVM's file name encoding")
			.endsWith("run the JVM with a UTF-8 locale such as LANG=C.UTF-8");
		assertThat(directory).isEmptyDirectory();
	}

	private static String read(SharedMemory block, int length) {
		byte[] bytes = new byte[length];
		block.buf().get(0, bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private static ChildResult runChild(Map<String, String> environment, String... args) throws Exception {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-cp");
		command.add(location(SharedMemory.class) + File.pathSeparator + location(ChildProcessMain.class));
		command.add(ChildProcessMain.class.getName());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		if (!environment.isEmpty()) {
			builder.environment().keySet().removeIf((key) -> key.equals("LANG") || key.startsWith("LC_"));
			builder.environment().putAll(environment);
		}
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("child JVM ended").isTrue();
		return new ChildResult(process.exitValue(), output);
	}

	private static String location(Class<?> type) throws Exception {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

	private record ChildResult(int status, String output) {
	}

}
