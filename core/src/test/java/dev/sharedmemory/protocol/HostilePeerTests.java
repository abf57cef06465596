package dev.sharedmemory.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import dev.sharedmemory.CapturedLog;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.pickle.PickleTuple;
import dev.sharedmemory.protocol.wire.Handshake;
import dev.sharedmemory.protocol.wire.MessageStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Peers that do not play by the rules: each is cut off or refused, no code runs (a canary
 * file is never created), and the server goes on serving a well-behaved client
 * afterwards.
 */
class HostilePeerTests {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	@RegisterExtension
	final CapturedLog log = new CapturedLog("dev.sharedmemory.protocol");

	@TempDir
	Path directory;

	private final byte[] authkey = Fixtures.authkey();

	private final DirectorySegmentRegistry registry = new DirectorySegmentRegistry(Fixtures.DEV_SHM);

	private ManagerServer server;

	private Path canary;

	@BeforeEach
	void start() {
		this.canary = this.directory.resolve("canary");
		this.server = Fixtures.startServer(
				ManagerServerSettings.of(Fixtures.tcp(), this.authkey).withTimeout(TIMEOUT).withMaxRequestBytes(4096),
				this.registry);
	}

	@AfterEach
	void stillServesOthersAndRanNoCode() throws Exception {
		ManagerClient client = ManagerClient.connect(this.server.address(), this.authkey);
		try (SharedMemory block = client.createSharedMemory(64)) {
			assertThat(this.registry.names()).contains(block.name());
		}
		this.server.stop();
		this.registry.close();
		assertThat(this.canary).doesNotExist();
	}

	@Test
	void randomBytesAreRefusedAtTheHandshake() throws Exception {
		byte[] garbage = new byte[1000];
		new Random(13).nextBytes(garbage);
		assertThat(exchangeRaw(garbage)).isTrue();
		assertThat(this.server.statistics().connections(ConnectionOutcome.AUTHENTICATION_FAILED)).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "00", "0000", "000000", "7fffffff", "ffffffff", "ffffffff7fffffffffffffff",
			"ffffffffffffffffffffffff", "80000000", "00000101" })
	void truncatedAndOversizedLengthPrefixesAreRefused(String prefix) throws Exception {
		assertThat(exchangeRaw(java.util.HexFormat.of().parseHex(prefix))).isTrue();
		// A prefix cut short is cut off by the deadline, which closes the connection
		// before the worker counts it.
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			ServerStatistics statistics = this.server.statistics();
			assertThat(statistics.connections(ConnectionOutcome.AUTHENTICATION_FAILED)
					+ statistics.connections(ConnectionOutcome.TIMED_OUT))
				.isEqualTo(1);
		});
	}

	@Test
	void aHandshakeLongerThan256BytesIsRefusedUnread() throws Exception {
		byte[] message = new byte[4 + 257];
		message[3] = 1;
		message[2] = 1;
		assertThat(exchangeRaw(message)).isTrue();
		assertThat(this.log.warnings()).anyMatch((warning) -> warning.contains("257 bytes is longer than the 256"));
	}

	@Test
	void aSilentPeerIsCutOffAtTheTimeout() throws Exception {
		try (Socket socket = connect()) {
			InputStream in = socket.getInputStream();
			// The challenge comes, then nothing is answered: the server closes when its
			// deadline passes.
			MessageStream stream = new MessageStream(in, socket.getOutputStream());
			assertThat(new String(stream.receive(256), StandardCharsets.US_ASCII)).startsWith("#CHALLENGE#{sha256}");
			assertThat(in.read()).isEqualTo(-1);
		}
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(
					() -> assertThat(this.server.statistics().connections(ConnectionOutcome.TIMED_OUT)).isEqualTo(1));
		assertThat(this.log.warnings()).anyMatch((warning) -> warning.contains("no authentication within PT0.5S"));
	}

	@Test
	void aPickleThatReducesOsSystemRunsNothing() throws Exception {
		// What pickle.dumps writes for a __reduce__ returning (os.system, (command,)):
		// the GLOBAL is refused first.
		String command = "touch " + this.canary;
		assertRefused(pickle("\u0080\u0002cposix\nsystem\nq\u0000X" + le(command.length()) + command + "\u0085R."),
				"GLOBAL");
	}

	@Test
	void aReduceOfAnythingIsRefused() throws Exception {
		assertRefused(pickle("\u0080\u0002N)R."), "REDUCE");
	}

	@Test
	void aPickleWithStackGlobalRunsNothing() throws Exception {
		assertRefused(pickle("\u0080\u0004\u0095\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000"
				+ "\u008c\u0002os\u008c\u0006system\u0093."), "STACK_GLOBAL");
	}

	@Test
	void aPickleWithInstRunsNothing() throws Exception {
		String command = "touch " + this.canary;
		assertRefused(pickle("\u0080\u0002(X" + le(command.length()) + command + "ios\nsystem\n."), "INST");
	}

	@Test
	void aCraftedBuildRunsNothing() throws Exception {
		// A dict "built" into another: BUILD would call __setstate__ or update __dict__
		// of whatever is below it.
		assertRefused(pickle("\u0080\u0002}X\u0004\u0000\u0000\u0000evil}b."), "BUILD");
	}

	@Test
	void aRequestOverTheSizeCapIsRefusedUnread() throws Exception {
		byte[] big = new byte[5000];
		assertThat(authenticatedExchange(big)).contains("longer than the 4096 bytes allowed");
		assertThat(this.server.statistics().connections(ConnectionOutcome.BAD_REQUEST)).isEqualTo(1);
	}

	@Test
	void aRequestThatIsNoRequestTupleIsRefused() throws Exception {
		assertThat(authenticatedExchange(new dev.sharedmemory.protocol.pickle.PickleEncoder().encode(List.of(1L))))
			.contains("A request is a tuple");
	}

	@Test
	void refusesToStartWhenItsRegistryIsNotInDevShm() {
		DirectorySegmentRegistry elsewhere = new DirectorySegmentRegistry(this.directory);
		ManagerServer misplaced = new ManagerServer(ManagerServerSettings.of(Fixtures.tcp(), this.authkey), elsewhere);
		assertThatIllegalStateException().isThrownBy(misplaced::start)
			.withMessageContaining("its blocks are in " + this.directory)
			.withMessageContaining("Python's clients create theirs in /dev/shm");
		assertThat(misplaced.isRunning()).isFalse();
	}

	private void assertRefused(byte[] pickle, String opcode) throws Exception {
		assertThat(authenticatedExchange(pickle)).contains("Pickle opcode " + opcode).contains("is refused");
		assertThat(this.server.statistics().connections(ConnectionOutcome.BAD_REQUEST)).isEqualTo(1);
		assertThat(this.log.warnings()).anyMatch((warning) -> warning.contains("refused a request from 127.0.0.1:"));
		Thread.sleep(50);
		assertThat(Files.exists(this.canary)).isFalse();
	}

	/**
	 * Sends raw bytes and reports whether the server then closed the connection (rather
	 * than hanging).
	 */
	private boolean exchangeRaw(byte[] bytes) throws IOException {
		try (Socket socket = connect()) {
			OutputStream out = socket.getOutputStream();
			out.write(bytes);
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream received = new ByteArrayOutputStream();
			try {
				in.transferTo(received);
			}
			catch (IOException ex) {
				// Reset by the server: closed, too.
			}
			return true;
		}
	}

	/**
	 * Authenticates properly, sends a request payload and returns the traceback text of
	 * the reply.
	 */
	private String authenticatedExchange(byte[] payload) throws IOException {
		try (Socket socket = connect()) {
			MessageStream stream = new MessageStream(socket.getInputStream(), socket.getOutputStream());
			new Handshake(this.authkey).authenticateServer(stream);
			stream.send(payload);
			PickleTuple reply = (PickleTuple) new PickleDecoder().decode(stream.receive(1 << 20));
			assertThat(reply.get(0)).isEqualTo("#TRACEBACK");
			return (String) reply.get(1);
		}
	}

	private Socket connect() throws IOException {
		ManagerAddress.Tcp address = (ManagerAddress.Tcp) this.server.address();
		Socket socket = new Socket(address.host(), address.port());
		socket.setSoTimeout(10_000);
		return socket;
	}

	private static byte[] pickle(String latin1) {
		return latin1.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static String le(int length) {
		return new String(new byte[] { (byte) length, (byte) (length >>> 8), 0, 0 }, StandardCharsets.ISO_8859_1);
	}

}
