package dev.sharedmemory.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.pickle.PickleEncoder;
import dev.sharedmemory.protocol.pickle.PickleTuple;
import dev.sharedmemory.protocol.wire.Handshake;
import dev.sharedmemory.protocol.wire.MessageStream;
import dev.sharedmemory.python.PythonInterpreter;
import dev.sharedmemory.python.PythonInterpreters;
import dev.sharedmemory.python.PythonSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.sharedmemory.python.PythonValues.ok;
import static dev.sharedmemory.python.PythonValues.op;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server's loop serves many connections at once on one thread, whatever pieces their
 * messages come in: no exchange waits for another, a peer that leaves or goes silent is
 * counted and forgotten, and the limit on connections closes the ones past it.
 */
class ServerLoopTests {

	@RegisterExtension
	final CapturedLog log = new CapturedLog("dev.sharedmemory.protocol");

	private final byte[] authkey = Fixtures.authkey();

	private final DirectorySegmentRegistry registry = new DirectorySegmentRegistry(Fixtures.DEV_SHM);

	private final List<String> created = new ArrayList<>();

	private ManagerServer server;

	@AfterEach
	void stop() {
		if (this.server != null) {
			this.server.stop();
		}
		this.registry.close();
		assertThat(this.created).noneMatch(Fixtures::exists);
	}

	@Test
	void servesManyClientsWritingOneByteAtATimeAllAtOnce() throws Exception {
		this.server = Fixtures.startServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey), this.registry);
		int clients = 8;
		ExecutorService executor = Executors.newFixedThreadPool(clients);
		try {
			List<Future<PickleTuple>> replies = new ArrayList<>();
			for (int i = 0; i < clients; i++) {
				replies.add(executor.submit(() -> tricklingDummy()));
			}
			for (Future<PickleTuple> reply : replies) {
				assertThat(reply.get(60, TimeUnit.SECONDS).get(0)).isEqualTo(Reply.RETURN);
			}
		}
		finally {
			executor.shutdownNow();
		}
		ServerStatistics statistics = this.server.statistics();
		assertThat(statistics.connections(ConnectionOutcome.ACCEPTED)).isEqualTo(clients);
		assertThat(statistics.requests("dummy", RequestOutcome.RETURNED)).isEqualTo(clients);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.openConnections() == 0);
	}

	@Test
	void forgetsAPeerThatLeavesWithinAMessageAndCountsIt() throws Exception {
		this.server = Fixtures.startServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey), this.registry);
		try (Socket socket = connect()) {
			MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream());
			assertThat(new String(stream.receive(256), StandardCharsets.US_ASCII)).startsWith("#CHALLENGE#");
			// The length of a 36-byte answer and 5 bytes of it.
			socket.getOutputStream().write(new byte[] { 0, 0, 0, 36, '{', 's', 'h', 'a', '2' });
			socket.getOutputStream().flush();
			await().atMost(Duration.ofSeconds(10)).until(() -> this.server.openConnections() == 1);
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(this.server.statistics().connections(ConnectionOutcome.AUTHENTICATION_FAILED)).isEqualTo(1);
			assertThat(this.server.openConnections()).isZero();
		});
		assertThat(this.log.warnings()).anyMatch((warning) -> warning.contains("refused a connection from 127.0.0.1:")
				&& warning.contains("closed within a message, after 9 bytes"));
		assertThat(ManagerClient.connect(this.server.address(), this.authkey).listSegments()).isEmpty();
	}

	@Test
	void cutsOffASilentPeerWhilePythonClientsAreServed() throws Exception {
		Duration timeout = Duration.ofSeconds(3);
		this.server = Fixtures.startServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey).withTimeout(timeout),
				this.registry);
		PythonInterpreter python3 = PythonInterpreters.find().get(PythonInterpreters.find().size() - 1);
		try (PythonSession python = PythonSession.start(python3, "manager_peer.py")) {
			// Started before the silent peer: its start-up does not eat into the timeout.
			ok(call(python, "connect"));
			long silentSince = System.nanoTime();
			Socket silent = connect();
			InputStream in = silent.getInputStream();
			MessageStream stream = new MessageStream(in, silent.getOutputStream());
			assertThat(new String(stream.receive(256), StandardCharsets.US_ASCII)).startsWith("#CHALLENGE#");
			List<String> blocks = names(call(python, "blocks", "count", 5));
			assertThat(System.nanoTime() - silentSince).isLessThan(timeout.toNanos());
			assertThat(this.registry.names()).containsExactlyInAnyOrderElementsOf(blocks);
			assertThat(this.server.statistics().connections(ConnectionOutcome.TIMED_OUT)).isZero();
			assertThat(in.read()).isEqualTo(-1);
			assertThat(System.nanoTime() - silentSince).isGreaterThanOrEqualTo(timeout.toNanos());
			silent.close();
		}
		assertThat(this.server.statistics().connections(ConnectionOutcome.TIMED_OUT)).isEqualTo(1);
		assertThat(this.server.statistics().requests("track_segment", RequestOutcome.RETURNED)).isEqualTo(5);
		assertThat(this.log.warnings()).anyMatch((warning) -> warning.contains("no authentication within PT3S"));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.openConnections() == 0);
	}

	@Test
	void closesTheConnectionsPastTheLimitAndCountsThem() throws Exception {
		this.server = Fixtures.startServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey)
			.withTimeout(Duration.ofMillis(500))
			.withMaxConnections(2), this.registry);
		try (Socket first = connect(); Socket second = connect()) {
			// Each is in its exchange once its challenge has come.
			new MessageStream(first.getInputStream(), first.getOutputStream()).receive(256);
			new MessageStream(second.getInputStream(), second.getOutputStream()).receive(256);
			try (Socket third = connect()) {
				assertThat(third.getInputStream().read()).isEqualTo(-1);
			}
			assertThat(this.server.statistics().connections(ConnectionOutcome.REJECTED)).isEqualTo(1);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.openConnections() == 0);
		assertThat(ManagerClient.connect(this.server.address(), this.authkey).call("dummy")).isNull();
		// connect() sent one too.
		assertThat(this.server.statistics().connections(ConnectionOutcome.ACCEPTED)).isEqualTo(2);
	}

	@Test
	void servesOnSeveralThreads() throws Exception {
		this.server = Fixtures.startServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey).withThreads(2),
				this.registry);
		ManagerClient client = ManagerClient.connect(this.server.address(), this.authkey);
		for (int i = 0; i < 20; i++) {
			assertThat(client.call("dummy")).isNull();
		}
		// connect() sent one too.
		assertThat(this.server.statistics().requests("dummy", RequestOutcome.RETURNED)).isEqualTo(21);
		// Only this test's server has a second loop.
		assertThat(Thread.getAllStackTraces().keySet()).map(Thread::getName)
			.anyMatch((name) -> name.matches("shared-memory-manager-\\d+-2"));
	}

	/**
	 * A client that authenticates and sends {@code dummy}, writing every byte on its own.
	 */
	private PickleTuple tricklingDummy() throws IOException {
		try (Socket socket = connect()) {
			socket.setTcpNoDelay(true);
			OutputStream trickling = new ByteAtATime(socket.getOutputStream());
			MessageStream stream = new MessageStream(socket.getInputStream(), trickling);
			new Handshake(this.authkey).authenticateServer(stream);
			stream.send(new PickleEncoder().encode(new Request("dummy", List.of(), Map.of()).toTuple()));
			return (PickleTuple) new PickleDecoder().decode(stream.receive(1 << 16));
		}
	}

	private JsonObject call(PythonSession python, String name, Object... keysAndValues) {
		JsonObject operation = op(name, keysAndValues);
		operation.add("address", Fixtures.json(this.server.address()));
		operation.addProperty("authkey", Fixtures.hex(this.authkey));
		return python.call(operation);
	}

	private List<String> names(JsonObject result) {
		List<String> names = new ArrayList<>();
		ok(result).getAsJsonArray("names").forEach((name) -> names.add(name.getAsString()));
		this.created.addAll(names);
		return names;
	}

	private Socket connect() throws IOException {
		ManagerAddress.Tcp address = (ManagerAddress.Tcp) this.server.address();
		Socket socket = new Socket(address.host(), address.port());
		socket.setSoTimeout(20_000);
		return socket;
	}

	/**
	 * Sends every byte in a segment of its own, a millisecond apart: the server reads
	 * each message in as many pieces as it has bytes, the clients' pieces interleaved.
	 */
	private static final class ByteAtATime extends OutputStream {

		private final OutputStream out;

		ByteAtATime(OutputStream out) {
			this.out = out;
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.out.flush();
			try {
				Thread.sleep(1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("Interrupted", ex);
			}
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			for (int i = offset; i < offset + length; i++) {
				write(bytes[i]);
			}
		}

	}

}
