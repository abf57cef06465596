package dev.sharedmemory;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.stream.Stream;

import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What CPython's resource tracker does to a block a plain script merely attached to, read
 * and closed, per version (CPython 3.9 to 3.13 all unlink it when the script exits,
 * gh-82300), and the recipe that prevents it on each:
 * {@code resource_tracker.unregister(shm._name, "shared_memory")} on every version (for a
 * {@code ShareableList}, on its {@code .shm}, the only way on 3.13 too, whose
 * {@code ShareableList} has no {@code track} parameter), and
 * {@code SharedMemory(name, track=False)} on 3.13 and later. Then that a
 * {@link SharedMemoryManager} notices a block a real CPython 3.11 and 3.13 destroyed that
 * way, and notices nothing when the script follows the recipe.
 */
class ResourceTrackerInteropTests {

	private static final String LEAK_WARNING = "resource_tracker: There appear to be 1 leaked shared_memory objects to "
			+ "clean up at shutdown";

	@RegisterExtension
	final BlockCleanup cleanup = new BlockCleanup();

	@RegisterExtension
	final Managers managers = new Managers();

	@RegisterExtension
	final CapturedLog log = new CapturedLog(SharedMemoryManager.class);

	private final List<LostBlock> lost = new CopyOnWriteArrayList<>();

	static Stream<Arguments> interpretersAndKinds() {
		return PythonInterpreters.all()
			.flatMap((interpreter) -> Stream.of(Arguments.of(interpreter, "shm"), Arguments.of(interpreter, "list")));
	}

	@ParameterizedTest(name = "{0}, {1}")
	@MethodSource("interpretersAndKinds")
	void aPlainAttachDestroysTheBlockWhenTheScriptExits(PythonInterpreter interpreter, String kind) {
		String name = newBlock(kind);
		PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", name, kind, "none");
		assertThat(run.exitCode()).as(run.stderr()).isZero();
		assertThat(run.stdout()).isEqualTo(expectedOutput(kind));
		assertThat(DevShm.DIRECTORY.exists(name)).as("%s kept the block it attached to", interpreter).isFalse();
		assertThat(run.stderr()).contains(LEAK_WARNING);
	}

	@ParameterizedTest(name = "{0}, {1}")
	@MethodSource("interpretersAndKinds")
	void unregisteringAfterAttachingKeepsTheBlock(PythonInterpreter interpreter, String kind) {
		String name = newBlock(kind);
		PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", name, kind, "unregister");
		assertThat(run.exitCode()).as(run.stderr()).isZero();
		assertThat(run.stdout()).isEqualTo(expectedOutput(kind));
		assertThat(DevShm.DIRECTORY.exists(name)).isTrue();
		assertThat(run.stderr()).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.sharedmemory.python.PythonInterpreters#all")
	void trackFalseKeepsTheBlockFrom313AndDoesNotExistBefore(PythonInterpreter interpreter) {
		String name = newBlock("shm");
		PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", name, "shm", "track_false");
		if (interpreter.minor() >= 13) {
			assertThat(run.exitCode()).as(run.stderr()).isZero();
			assertThat(run.stderr()).isEmpty();
		}
		else {
			assertThat(run.exitCode()).isNotZero();
			assertThat(run.stderr()).contains("TypeError", "unexpected keyword argument 'track'");
		}
		assertThat(DevShm.DIRECTORY.exists(name)).isTrue();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.sharedmemory.python.PythonInterpreters#all")
	void shareableListHasNoTrackParameterOnAnyVersion(PythonInterpreter interpreter) {
		String name = newBlock("list");
		PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", name, "list", "track_false");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.stderr()).contains("TypeError", "unexpected keyword argument 'track'");
		assertThat(DevShm.DIRECTORY.exists(name)).isTrue();
	}

	@Test
	void theManagerNoticesBlocksCPython313And311DestroyWithoutTheRecipe() {
		SharedMemoryManager manager = manager();
		for (PythonInterpreter interpreter : List.of(interpreter(13), interpreter(11))) {
			ShareableList list = manager.shareableList(List.of("job-1", 42L));
			SharedMemory block = manager.sharedMemory(64);
			for (String[] attach : List.of(new String[] { list.shm().name(), "list" },
					new String[] { block.name(), "shm" })) {
				PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", attach[0], attach[1], "none");
				assertThat(run.exitCode()).as(run.stderr()).isZero();
				assertThat(run.stderr()).contains(LEAK_WARNING);
			}
			await().until(() -> this.lost.stream()
				.map(LostBlock::name)
				.toList()
				.containsAll(List.of(list.shm().name(), block.name())));
			assertThat(manager.blocks()).extracting(ManagedBlock::name).doesNotContain(list.shm().name(), block.name());
		}
		assertThat(this.lost).extracting(LostBlock::reason).containsOnly(LostBlock.Reason.UNLINKED).hasSize(4);
		assertThat(this.lost).extracting(LostBlock::kind)
			.containsExactlyInAnyOrder(BlockKind.SHAREABLE_LIST, BlockKind.SHARED_MEMORY, BlockKind.SHAREABLE_LIST,
					BlockKind.SHARED_MEMORY);
		assertThat(manager.lostBlocks()).isEqualTo(4);
		assertThat(this.log.messages(Level.WARNING)).hasSize(4)
			.allMatch((message) -> message.contains("was unlinked by another process, not by this manager")
					&& message.contains("Probably a Python process's resource tracker"));
	}

	@Test
	void theManagerLosesNothingWhenCPython313And311FollowTheRecipe() throws Exception {
		SharedMemoryManager manager = manager();
		for (PythonInterpreter interpreter : List.of(interpreter(13), interpreter(11))) {
			ShareableList list = manager.shareableList(List.of("job-1", 42L));
			SharedMemory block = manager.sharedMemory(64);
			// 3.13: track=False for SharedMemory, unregister for a ShareableList (it has
			// no track parameter).
			String blockRecipe = (interpreter.minor() >= 13) ? "track_false" : "unregister";
			for (String[] attach : List.of(new String[] { list.shm().name(), "list", "unregister" },
					new String[] { block.name(), "shm", blockRecipe })) {
				PythonScript run = PythonScript.run(interpreter, "attach_and_exit.py", attach);
				assertThat(run.exitCode()).as(run.stderr()).isZero();
				assertThat(run.stderr()).isEmpty();
			}
			// A sentinel deleted last: once its report is in, the watcher has handled
			// every earlier event.
			String sentinel = manager.sharedMemory(1).name();
			Files.delete(DevShm.PATH.resolve(sentinel));
			await().until(() -> this.lost.stream().anyMatch((lostBlock) -> lostBlock.name().equals(sentinel)));
			assertThat(this.lost).extracting(LostBlock::name).doesNotContain(list.shm().name(), block.name());
			assertThat(DevShm.DIRECTORY.exists(list.shm().name())).isTrue();
			assertThat(DevShm.DIRECTORY.exists(block.name())).isTrue();
			assertThat(manager.blocks()).extracting(ManagedBlock::name).contains(list.shm().name(), block.name());
		}
		assertThat(manager.lostBlocks()).isEqualTo(2);
	}

	private SharedMemoryManager manager() {
		// Orphans in /dev/shm are other runs' business: this test reclaims nothing.
		return this.managers.started(DevShm.DIRECTORY,
				(builder) -> builder.reclaimOrphans(false).listener(this.lost::add));
	}

	private String newBlock(String kind) {
		String name = this.cleanup.newName(DevShm.DIRECTORY);
		if (kind.equals("shm")) {
			SharedMemory block = this.cleanup.track(DevShm.DIRECTORY.create(name, 16));
			block.buf().put(0, new byte[] { 1, 2, 3, 4 });
		}
		else {
			this.cleanup.track(ShareableList.create(name, List.of("job-1", 42L)).shm());
		}
		return name;
	}

	private static String expectedOutput(String kind) {
		return kind.equals("shm") ? "01020304\n" : "job-1\n";
	}

	private static PythonInterpreter interpreter(int minor) {
		return PythonInterpreters.find()
			.stream()
			.filter((interpreter) -> interpreter.minor() == minor)
			.findFirst()
			.orElseThrow(() -> new AssertionError(
					"These tests need CPython 3." + minor + " (pyenv): found only " + PythonInterpreters.find()));
	}

}
