package dev.sharedmemory.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * CPython's own {@code SharedMemoryManager} clients, 3.9 to 3.13 (HMAC-MD5 before 3.12,
 * HMAC-SHA256 from it), against the Java server, on TCP and on a Unix socket.
 */
class PythonClientTests {

	private static final Map<String, PythonSession> sessions = new HashMap<>();

	@RegisterExtension
	final CapturedLog log = new CapturedLog("dev.sharedmemory.protocol");

	@TempDir
	Path socketDirectory;

	private final DirectorySegmentRegistry registry = new DirectorySegmentRegistry(Fixtures.DEV_SHM);

	private final List<String> created = new ArrayList<>();

	private final byte[] authkey = Fixtures.authkey();

	private ManagerServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
		this.registry.close();
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

	private static PythonSession session(PythonInterpreter interpreter) {
		return sessions.computeIfAbsent(interpreter.version(),
				(version) -> PythonSession.start(interpreter, "manager_peer.py"));
	}

	private JsonObject call(PythonInterpreter interpreter, String name, Object... keysAndValues) {
		JsonObject operation = op(name, keysAndValues);
		operation.add("address", Fixtures.json(this.server.address()));
		operation.addProperty("authkey", Fixtures.hex(this.authkey));
		return session(interpreter).call(operation);
	}

	private List<String> names(JsonObject result) {
		List<String> names = new ArrayList<>();
		ok(result).getAsJsonArray("names").forEach((name) -> names.add(name.getAsString()));
		this.created.addAll(names);
		return names;
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void connectsCreatesBlocksAndListsOverTcp(PythonInterpreter interpreter) {
		this.server = Fixtures.startServer(Fixtures.tcp(), this.authkey, this.registry);
		assertThat(ok(call(interpreter, "connect")).get("ok").getAsBoolean()).isTrue();
		List<String> blocks = names(call(interpreter, "blocks", "count", 2, "size", 100));
		JsonObject list = ok(call(interpreter, "list", "items", items("a", 1, 2.5)));
		String listName = list.get("name").getAsString();
		this.created.add(listName);
		assertThat(this.registry.names()).containsExactlyInAnyOrder(blocks.get(0), blocks.get(1), listName);
		assertThat(this.registry.peer(listName).address()).startsWith("127.0.0.1:");
		try (ShareableList shared = ShareableList.attach(listName)) {
			assertThat(shared).containsExactly("a", 1L, 2.5);
		}
		ServerStatistics statistics = this.server.statistics();
		// connect() sends dummy on a connection of its own; every block is a connection
		// with one track_segment.
		assertThat(statistics.requests("dummy", RequestOutcome.RETURNED)).isEqualTo(3);
		assertThat(statistics.requests("track_segment", RequestOutcome.RETURNED)).isEqualTo(3);
		assertThat(statistics.connections(ConnectionOutcome.ACCEPTED)).isEqualTo(6);
		this.server.stop();
		this.registry.releaseAll();
		assertThat(blocks).noneMatch(Fixtures::exists);
		assertThat(Fixtures.exists(listName)).isFalse();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void servesAUnixSocketOfMode0600(PythonInterpreter interpreter) throws Exception {
		this.server = Fixtures.startServer(Fixtures.unix(this.socketDirectory), this.authkey, this.registry);
		Path socket = ((ManagerAddress.Unix) this.server.address()).path();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
		List<String> blocks = names(call(interpreter, "blocks", "count", 1));
		assertThat(this.registry.names()).containsExactlyElementsOf(blocks);
		assertThat(this.registry.peer(blocks.get(0)).user()).isEqualTo(System.getProperty("user.name"));
		this.server.stop();
		assertThat(socket).doesNotExist();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void aWrongAuthkeyRaisesAuthenticationErrorAndTracksNothing(PythonInterpreter interpreter) {
		this.server = Fixtures.startServer(Fixtures.tcp(), Fixtures.authkey(), this.registry);
		JsonObject connect = call(interpreter, "connect");
		JsonObject create = call(interpreter, "blocks", "count", 1);
		assertThat(connect.get("error").getAsString()).isEqualTo("AuthenticationError");
		assertThat(create.get("error").getAsString()).isEqualTo("AuthenticationError");
		assertThat(this.registry.names()).isEmpty();
		// Python raises as soon as it reads #FAILURE#, which the server sends before it
		// logs and counts.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(
					() -> assertThat(this.server.statistics().connections(ConnectionOutcome.AUTHENTICATION_FAILED))
						.isEqualTo(2));
		assertThat(this.log.warnings()).hasSize(2)
			.allMatch((warning) -> warning.contains("refused a connection from 127.0.0.1:")
					&& warning.contains("wrong authkey"));
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void answersTheOtherMethodsAsCPythonsServerWould(PythonInterpreter interpreter) {
		this.server = Fixtures.startServer(Fixtures.tcp(), this.authkey, this.registry);
		List<String> blocks = names(call(interpreter, "blocks", "count", 1));
		assertThat(ok(call(interpreter, "call", "method", "list_segments")).get("value").getAsString())
			.isEqualTo("['" + blocks.get(0) + "']");
		assertThat(ok(call(interpreter, "call", "method", "number_of_objects")).get("value").getAsString())
			.isEqualTo("0");
		assertThat(ok(call(interpreter, "call", "method", "debug_info")).get("value").getAsString())
			.contains("1 shared memory blocks tracked");
		JsonObject shutdown = call(interpreter, "call", "method", "shutdown");
		assertThat(shutdown.get("error").getAsString()).isEqualTo("RemoteError");
		assertThat(shutdown.get("message").getAsString()).contains("PermissionError: remote shutdown is refused");
		JsonObject create = call(interpreter, "call", "method", "create", "args", items("Foo"));
		assertThat(create.get("message").getAsString()).contains("NotImplementedError: 'create' is not supported");
		assertThat(this.server.isRunning()).isTrue();
		ok(call(interpreter, "call", "method", "release_segment", "args", items(blocks.get(0))));
		assertThat(Fixtures.exists(blocks.get(0))).isFalse();
		assertThat(this.registry.names()).isEmpty();
	}

	@Test
	void servesAgainOnTheSamePortAfterAStopAndAStart() {
		PythonInterpreter python3 = interpreters().get(interpreters().size() - 1);
		this.server = Fixtures.startServer(Fixtures.tcp(), this.authkey, this.registry);
		ManagerAddress address = this.server.address();
		List<String> before = names(call(python3, "blocks", "count", 1));
		this.server.stop();
		assertThat(this.server.isRunning()).isFalse();
		assertThat(call(python3, "connect").get("error").getAsString()).isEqualTo("ConnectionRefusedError");
		this.server.start();
		assertThat(this.server.isRunning()).isTrue();
		assertThat(this.server.address()).isEqualTo(address);
		List<String> after = names(call(python3, "blocks", "count", 1));
		assertThat(this.registry.names()).containsExactlyInAnyOrder(before.get(0), after.get(0));
		assertThat(this.server.statistics().requests("track_segment", RequestOutcome.RETURNED)).isEqualTo(2);
	}

	@Test
	void recreatesItsUnixSocketWhenStartedAgain() throws Exception {
		PythonInterpreter python3 = interpreters().get(0);
		this.server = Fixtures.startServer(Fixtures.unix(this.socketDirectory), this.authkey, this.registry);
		Path socket = ((ManagerAddress.Unix) this.server.address()).path();
		names(call(python3, "blocks", "count", 1));
		this.server.stop();
		assertThat(socket).doesNotExist();
		this.server.start();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
		assertThat(ok(call(python3, "connect")).get("ok").getAsBoolean()).isTrue();
		names(call(python3, "blocks", "count", 1));
		assertThat(this.registry.names()).hasSize(2);
	}

	@Test
	void servesManyClientsAtOnce() {
		PythonInterpreter python3 = interpreters().get(interpreters().size() - 1);
		this.server = Fixtures.startServer(Fixtures.tcp(), this.authkey, this.registry);
		List<String> blocks = names(call(python3, "many", "processes", 32, "blocks", 20));
		assertThat(blocks).hasSize(640).doesNotHaveDuplicates().allMatch(Fixtures::exists);
		assertThat(this.registry.names()).containsExactlyInAnyOrderElementsOf(blocks);
		assertThat(this.server.statistics().requests("track_segment", RequestOutcome.RETURNED)).isEqualTo(640);
		this.server.stop();
		this.registry.releaseAll();
		assertThat(blocks).noneMatch(Fixtures::exists);
	}

	@Test
	void unlinksTheBlocksOfAClientKilledWithSigkill() {
		PythonInterpreter python3 = interpreters().get(0);
		this.server = Fixtures.startServer(Fixtures.tcp(), this.authkey, this.registry);
		List<String> blocks;
		try (PythonSession doomed = PythonSession.start(python3, "manager_peer.py")) {
			JsonObject operation = op("blocks", "count", 3);
			operation.add("address", Fixtures.json(this.server.address()));
			operation.addProperty("authkey", Fixtures.hex(this.authkey));
			blocks = names(doomed.call(operation));
		} // close() kills it: SIGKILL
		assertThat(blocks).allMatch(Fixtures::exists);
		assertThat(this.registry.names()).containsExactlyInAnyOrderElementsOf(blocks);
		this.server.stop();
		this.registry.releaseAll();
		assertThat(blocks).noneMatch(Fixtures::exists);
	}

	private static JsonArray items(Object... values) {
		JsonArray array = new JsonArray();
		for (Object value : values) {
			if (value instanceof String text) {
				array.add(text);
			}
			else {
				array.add((Number) value);
			}
		}
		return array;
	}

}
