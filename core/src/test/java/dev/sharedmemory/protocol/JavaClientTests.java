package dev.sharedmemory.protocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonObject;
import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import dev.sharedmemory.protocol.wire.AuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Java client against CPython's own {@code SharedMemoryManager} server, every
 * version: the blocks it creates are tracked there and unlinked at the Python manager's
 * shutdown. And against the Java server, where a refusal unlinks the block.
 */
class JavaClientTests {

	@RegisterExtension
	final CapturedLog log = new CapturedLog("dev.sharedmemory.protocol");

	@TempDir
	Path socketDirectory;

	private final List<String> created = new ArrayList<>();

	@AfterEach
	void nothingLeft() {
		List<String> left = this.created.stream().filter(Fixtures::exists).toList();
		left.forEach((name) -> SharedMemoryDirectory.of(Fixtures.DEV_SHM).unlink(name));
		assertThat(left).isEmpty();
	}

	static List<PythonInterpreter> interpreters() {
		return PythonInterpreters.find();
	}

	@ParameterizedTest
	@MethodSource("interpreters")
	void createsBlocksAndListsThatCPythonsServerTracksAndUnlinks(PythonInterpreter interpreter) throws Exception {
		byte[] authkey = Fixtures.authkey();
		try (PythonSession python = PythonSession.start(interpreter, "manager_peer.py")) {
			ManagerAddress address = Fixtures
				.address(ok(python.call(op("serve", "id", "a", "authkey", Fixtures.hex(authkey))))
					.getAsJsonObject("address"));
			ManagerClient client = ManagerClient.connect(address, authkey);
			try (SharedMemory block = client.createSharedMemory(4096);
					ShareableList list = client.createShareableList(List.of("x", 7L, 1.5, true))) {
				this.created.add(block.name());
				this.created.add(list.shm().name());
				assertThat(client.listSegments()).containsExactly(block.name(), list.shm().name());
				JsonObject served = ok(python.call(op("served_segments", "id", "a")));
				assertThat(served.getAsJsonArray("names").toString()).contains(block.name(), list.shm().name());
				ok(python.call(op("stop_server", "id", "a")));
				assertThat(Fixtures.exists(block.name())).isFalse();
				assertThat(Fixtures.exists(list.shm().name())).isFalse();
			}
			python.finish();
		}
	}

	@Test
	void connectsToCPythonsServerOnAUnixSocketAndRefusesAWrongKey() throws Exception {
		byte[] authkey = Fixtures.authkey();
		PythonInterpreter python3 = interpreters().get(interpreters().size() - 1);
		try (PythonSession python = PythonSession.start(python3, "manager_peer.py")) {
			JsonObject serve = op("serve", "id", "u", "authkey", Fixtures.hex(authkey));
			serve.add("address", Fixtures.json(Fixtures.unix(this.socketDirectory)));
			ManagerAddress address = Fixtures.address(ok(python.call(serve)).getAsJsonObject("address"));
			assertThatExceptionOfType(AuthenticationException.class)
				.isThrownBy(() -> ManagerClient.connect(address, Fixtures.authkey()));
			ManagerClient client = ManagerClient.connect(address, authkey);
			try (SharedMemory block = client.createSharedMemory(100)) {
				this.created.add(block.name());
				assertThat(client.listSegments()).containsExactly(block.name());
			}
			ok(python.call(op("stop_server", "id", "u")));
			assertThat(this.created).noneMatch(Fixtures::exists);
			python.finish();
		}
	}

	@Test
	void worksWithTheJavaServerAndUnlinksABlockTheServerRefuses() throws Exception {
		byte[] authkey = Fixtures.authkey();
		try (DirectorySegmentRegistry registry = new DirectorySegmentRegistry(Fixtures.DEV_SHM);
				ManagerServer server = Fixtures.startServer(Fixtures.unix(this.socketDirectory), authkey, registry)) {
			ManagerClient client = ManagerClient.connect(server.address(), authkey);
			try (SharedMemory block = client.createSharedMemory(64)) {
				this.created.add(block.name());
				assertThat(registry.names()).containsExactly(block.name());
			}
			// A name that is no block: the server answers #TRACEBACK, which the client
			// raises.
			assertThatExceptionOfType(RemoteManagerException.class)
				.isThrownBy(() -> client.call("track_segment", "no_such_block_" + System.nanoTime()))
				.withMessageContaining("ValueError: No shared memory block 'no_such_block_");
			server.stop();
			assertThat(registry.names()).hasSize(1);
		}
		assertThat(this.created).noneMatch(Fixtures::exists);
	}

	@Test
	void unlinksABlockWhenTrackingItFails() throws Exception {
		byte[] authkey = Fixtures.authkey();
		List<String> refused = new ArrayList<>();
		SegmentRegistry refusing = new SegmentRegistry() {

			@Override
			public Path directory() {
				return Fixtures.DEV_SHM;
			}

			@Override
			public void track(String name, Peer peer) {
				refused.add(name);
				throw new IllegalArgumentException("not today: " + name);
			}

			@Override
			public void release(String name) {
			}

			@Override
			public List<String> names() {
				return List.of();
			}

			@Override
			public void releaseAll() {
			}

		};
		try (ManagerServer server = new ManagerServer(ManagerServerSettings.of(Fixtures.tcp(), authkey), refusing)) {
			server.start();
			ManagerClient client = ManagerClient.connect(server.address(), authkey);
			assertThatExceptionOfType(RemoteManagerException.class)
				.isThrownBy(() -> client.createShareableList(List.of(1L, 2L)))
				.withMessageContaining("ValueError: not today: psm_");
			assertThat(refused).hasSize(1);
			this.created.addAll(refused);
			assertThat(Fixtures.exists(refused.get(0))).isFalse();
		}
	}

}
