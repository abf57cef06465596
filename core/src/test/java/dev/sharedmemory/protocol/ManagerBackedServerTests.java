package dev.sharedmemory.protocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.BlockKind;
import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.Managers;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A server started over an application's {@link SharedMemoryManager} with
 * {@link ManagerServer#start(ManagerServerSettings, SharedMemoryManager)}: CPython 3.9 to
 * 3.13 clients' blocks are the manager's, listed with their origin, and unlinked at its
 * shutdown.
 */
class ManagerBackedServerTests {

	private static final Map<String, PythonSession> sessions = new HashMap<>();

	@RegisterExtension
	final Managers managers = new Managers();

	@RegisterExtension
	final CapturedLog log = new CapturedLog("dev.sharedmemory.protocol");

	@TempDir
	Path elsewhere;

	private final byte[] authkey = Fixtures.authkey();

	private final List<String> created = new ArrayList<>();

	private SharedMemoryManager manager;

	private ManagerServer server;

	@BeforeEach
	void startManager() {
		// Reclaiming is for the application; here it would reach into what other tests do
		// in /dev/shm.
		this.manager = this.managers.started(SharedMemoryDirectory.of(Fixtures.DEV_SHM),
				(builder) -> builder.reclaimOrphans(false));
	}

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
		this.managers.shutdownAll();
		assertThat(this.created).noneMatch(Fixtures::exists);
	}

	@AfterAll
	static void finishSessions() {
		sessions.values().forEach(PythonSession::close);
		sessions.clear();
	}

	static List<PythonInterpreter> interpreters() {
		return PythonInterpreters.find();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void aPythonClientsBlocksAreTheManagersWithTheirOriginUntilItShutsDown(PythonInterpreter interpreter) {
		this.server = ManagerServer.start(ManagerServerSettings.of(Fixtures.tcp(), this.authkey), this.manager);
		String block = name(
				ok(call(interpreter, "blocks", "count", 1, "size", 4096)).getAsJsonArray("names").get(0).getAsString());
		JsonArray items = new JsonArray();
		items.add("done");
		items.add(42);
		String list = name(ok(call(interpreter, "list", "items", items)).get("name").getAsString());

		assertThat(this.manager.blocks()).extracting(ManagedBlock::name).containsExactly(block, list);
		assertThat(this.manager.block(block)).hasValueSatisfying((managed) -> {
			assertThat(managed.size()).isEqualTo(4096);
			assertThat(managed.kind()).isEqualTo(BlockKind.SHARED_MEMORY);
			assertThat(managed.origin()).startsWith("127.0.0.1:");
		});
		assertThat(this.manager.blockCount()).isEqualTo(2);
		assertThat(this.manager.segmentRegistry().names()).containsExactly(block, list);
		assertThat(this.server.statistics().requests("track_segment", RequestOutcome.RETURNED)).isEqualTo(2);

		this.server.stop();
		this.manager.shutdown();
		assertThat(Fixtures.exists(block)).isFalse();
		assertThat(Fixtures.exists(list)).isFalse();
	}

	@Test
	void refusesToStartOverAManagerInAnotherDirectorySayingWhy() {
		SharedMemoryManager other = this.managers.started(SharedMemoryDirectory.of(this.elsewhere));
		assertThatIllegalStateException()
			.isThrownBy(() -> ManagerServer.start(ManagerServerSettings.of(Fixtures.tcp(), this.authkey), other))
			.withMessage("The manager server cannot start: its blocks are in " + this.elsewhere.toAbsolutePath()
					+ ", but Python's clients create theirs in /dev/shm (shm_open), where the server could not find"
					+ " them");
	}

	private JsonObject call(PythonInterpreter interpreter, String name, Object... keysAndValues) {
		JsonObject operation = op(name, keysAndValues);
		operation.add("address", Fixtures.json(this.server.address()));
		operation.addProperty("authkey", Fixtures.hex(this.authkey));
		return sessions
			.computeIfAbsent(interpreter.version(), (version) -> PythonSession.start(interpreter, "manager_peer.py"))
			.call(operation);
	}

	private String name(String name) {
		this.created.add(name);
		return name;
	}

}
