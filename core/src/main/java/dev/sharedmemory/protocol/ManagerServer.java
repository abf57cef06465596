package dev.sharedmemory.protocol;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.protocol.Deadlines.Deadline;
import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.pickle.PickleEncoder;
import dev.sharedmemory.protocol.wire.Handshake;
import dev.sharedmemory.protocol.wire.MessageStream;
import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;

/**
 * A server that CPython 3.9 to 3.13 clients use as their {@code SharedMemoryManager}:
 * {@code SharedMemoryManager(address=..., authkey=...).connect()}, then
 * {@code smm.SharedMemory(size)} and {@code smm.ShareableList(seq)}. It listens on TCP or
 * on a Unix socket (created with mode {@code 0600}), serves one request per connection as
 * CPython's clients send them, on a bounded pool of threads, and cuts off a connection
 * whose whole exchange takes longer than the timeout. Nothing is unpickled before the
 * client has authenticated, and then only the whitelist of {@link PickleDecoder}.
 * <p>
 * The server only speaks the protocol: the blocks belong to its {@link SegmentRegistry},
 * which outlives {@link #stop()}. Thread-safe; it can be stopped and started again, and
 * then listens on the address it listened on before (the same port when the settings
 * asked for port 0), as a Spring context stopped and started again expects.
 * <p>
 * An application's {@link SharedMemoryManager} serves Python processes with one call, and
 * tracks their blocks as its own (listed with where they came from, recorded against a
 * crash, unlinked at its shutdown); stop the server before the manager:
 * <pre class="code">
 * SharedMemoryManager manager = new SharedMemoryManager(); // in /dev/shm, where Python's blocks are
 * manager.start();
 * ManagerServer server = ManagerServer.start(
 *         ManagerServerSettings.of(ManagerAddress.parse("127.0.0.1:50000"), authkey), manager);
 * // Python: smm = SharedMemoryManager(address=("127.0.0.1", 50000), authkey=authkey); smm.connect()
 * ...
 * server.stop();
 * manager.shutdown();
 * </pre> A server that no manager backs tracks its clients' blocks in a
 * {@link DirectorySegmentRegistry}.
 */
public final class ManagerServer implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(ManagerServer.class.getName());

	private static final int BACKLOG = 128;

	private static final long ACCEPT_RETRY_MILLIS = 100;

	private static final int REBIND_ATTEMPTS = 10;

	private static final int READ_BUFFER_BYTES = 512;

	private static final AtomicInteger serverNumber = new AtomicInteger();

	private final ManagerServerSettings settings;

	private final SegmentRegistry registry;

	private final ManagerService service;

	private final Handshake handshake;

	private final PickleDecoder decoder = new PickleDecoder();

	private final PickleEncoder encoder = new PickleEncoder();

	private final ServerCounters counters = new ServerCounters();

	private final Object lifecycle = new Object();

	private @Nullable ServerSocketChannel listener;

	private @Nullable ThreadPoolExecutor workers;

	private @Nullable ManagerAddress boundAddress;

	private @Nullable Object socketFileKey;

	/**
	 * Creates a server; {@link #start()} makes it listen.
	 * @param settings how to listen
	 * @param registry what tracks the clients' blocks; must work in {@code /dev/shm}
	 */
	public ManagerServer(ManagerServerSettings settings, SegmentRegistry registry) {
		this.settings = Objects.requireNonNull(settings, "settings must not be null");
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.service = new ManagerService(registry, settings.allowRemoteShutdown(), this::stopSoon);
		this.handshake = new Handshake(settings.authkey());
	}

	/**
	 * Starts a server whose clients' blocks the given manager tracks:
	 * {@code track_segment} adds a block to the manager's blocks, as coming from the
	 * client, and the manager unlinks it at its shutdown.
	 * @param settings how to listen
	 * @param manager the manager, working in {@code /dev/shm}
	 * @return the server, listening
	 * @throws IllegalStateException if the manager works in another directory than
	 * {@code /dev/shm}
	 * @throws UncheckedIOException if the address cannot be bound, naming it
	 */
	public static ManagerServer start(ManagerServerSettings settings, SharedMemoryManager manager) {
		ManagerServer server = new ManagerServer(settings, manager.segmentRegistry());
		server.start();
		return server;
	}

	/**
	 * Starts listening; does nothing if the server is listening already. A server started
	 * again after {@link #stop()} listens on the address it listened on before.
	 * @throws IllegalStateException if the registry works in another directory than
	 * {@code /dev/shm}, where Python's clients create their blocks
	 * @throws UncheckedIOException if the address cannot be bound, naming it
	 */
	public void start() {
		synchronized (this.lifecycle) {
			if (this.listener != null && this.listener.isOpen()) {
				return;
			}
			checkDirectory();
			// Once bound, the same address again: the port chosen for port 0 is the one
			// the clients were given.
			ManagerAddress address = (this.boundAddress != null) ? this.boundAddress : this.settings.address();
			ServerSocketChannel channel = bindAgain(address);
			int number = serverNumber.incrementAndGet();
			AtomicInteger workerNumber = new AtomicInteger();
			ThreadPoolExecutor pool = new ThreadPoolExecutor(this.settings.threads(), this.settings.threads(), 60,
					TimeUnit.SECONDS,
					(this.settings.queue() > 0) ? new ArrayBlockingQueue<>(this.settings.queue())
							: new SynchronousQueue<>(),
					(task) -> daemon(task, "shared-memory-manager-" + number + "-" + workerNumber.incrementAndGet()));
			pool.allowCoreThreadTimeOut(true);
			this.listener = channel;
			this.workers = pool;
			daemon(() -> acceptLoop(channel, pool), "shared-memory-manager-" + number + "-accept").start();
			logger.log(Level.INFO, "Shared memory manager server listening on {0}", this.boundAddress);
		}
	}

	/**
	 * Stops listening, lets the requests being served finish (up to the timeout) and
	 * removes the socket file. The registry's blocks are left to its owner.
	 */
	public void stop() {
		ThreadPoolExecutor stopping;
		synchronized (this.lifecycle) {
			if (this.listener == null || !this.listener.isOpen()) {
				return;
			}
			closeQuietly(this.listener);
			removeSocketFile();
			stopping = this.workers;
			this.workers = null;
		}
		if (stopping != null) {
			stopping.shutdown();
			try {
				if (!stopping.awaitTermination(this.settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
					stopping.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				stopping.shutdownNow();
				Thread.currentThread().interrupt();
			}
		}
		logger.log(Level.INFO, "Shared memory manager server on {0} stopped", this.boundAddress);
	}

	/**
	 * Stops the server, as {@link #stop()}.
	 */
	@Override
	public void close() {
		stop();
	}

	/**
	 * Tells whether the server is listening.
	 * @return {@code true} between {@link #start()} and {@link #stop()}
	 */
	public boolean isRunning() {
		synchronized (this.lifecycle) {
			return this.listener != null && this.listener.isOpen();
		}
	}

	/**
	 * Returns the address the server listens on, with the port chosen when the settings
	 * asked for port 0.
	 * @return the address
	 * @throws IllegalStateException if the server was never started
	 */
	public ManagerAddress address() {
		synchronized (this.lifecycle) {
			if (this.boundAddress == null) {
				throw new IllegalStateException("The manager server was not started");
			}
			return this.boundAddress;
		}
	}

	/**
	 * Returns the counters' current values.
	 * @return a snapshot
	 */
	public ServerStatistics statistics() {
		return this.counters.snapshot();
	}

	private void checkDirectory() {
		Path directory = this.registry.directory();
		try {
			if (!Files.isSameFile(directory, SharedMemoryDirectory.LINUX_SHM)) {
				throw new IllegalStateException("The manager server cannot start: its blocks are in " + directory
						+ ", but Python's clients create theirs in " + SharedMemoryDirectory.LINUX_SHM
						+ " (shm_open), where the server could not find them");
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("The manager server cannot start: cannot compare " + directory + " with "
					+ SharedMemoryDirectory.LINUX_SHM + ": " + ex, ex);
		}
	}

	/**
	 * Binds the address, and when it is the one this server listened on before, tries
	 * again for a second: the port a closed listener held can be in use for a moment, as
	 * the source port of a connection another process opens in between.
	 */
	private ServerSocketChannel bindAgain(ManagerAddress address) {
		int attemptsLeft = (this.boundAddress != null) ? REBIND_ATTEMPTS : 1;
		while (true) {
			try {
				return bind(address);
			}
			catch (BindException ex) {
				if (--attemptsLeft == 0) {
					throw new UncheckedIOException("Cannot listen on " + address + ": " + ex.getMessage(), ex);
				}
				sleep(ACCEPT_RETRY_MILLIS);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot listen on " + address + ": " + ex.getMessage(), ex);
			}
		}
	}

	private ServerSocketChannel bind(ManagerAddress address) throws IOException {
		if (address instanceof ManagerAddress.Unix unix) {
			return bindUnix(unix.path());
		}
		ServerSocketChannel channel = ServerSocketChannel.open();
		try {
			channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			channel.bind(address.socketAddress(), BACKLOG);
			InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
			this.boundAddress = new ManagerAddress.Tcp(((ManagerAddress.Tcp) address).host(), local.getPort());
			return channel;
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(channel);
			throw ex;
		}
	}

	/**
	 * Binds in a new private directory, makes the socket {@code 0600}, then renames it
	 * into place: no one can connect to it before its mode is set.
	 */
	private ServerSocketChannel bindUnix(Path path) throws IOException {
		Path target = path.toAbsolutePath();
		if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
			throw new IOException(target + " exists; remove it if no server listens there");
		}
		Path parent = target.getParent();
		Path privateDirectory = Files.createTempDirectory(parent, ".smm-",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		Path temporary = privateDirectory.resolve("s");
		ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			channel.bind(ManagerAddress.parse(temporary.toString()).socketAddress(), BACKLOG);
			Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
			Files.move(temporary, target);
			this.socketFileKey = Files.readAttributes(target, "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
			this.boundAddress = new ManagerAddress.Unix(target);
			return channel;
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(channel);
			throw ex;
		}
		finally {
			Files.deleteIfExists(temporary);
			Files.deleteIfExists(privateDirectory);
		}
	}

	private void removeSocketFile() {
		if (this.boundAddress instanceof ManagerAddress.Unix unix && this.socketFileKey != null) {
			try {
				Object key = Files.readAttributes(unix.path(), "unix:ino", LinkOption.NOFOLLOW_LINKS).get("ino");
				if (this.socketFileKey.equals(key)) {
					Files.delete(unix.path());
				}
			}
			catch (IOException ex) {
				// Gone already, or someone else's now: not ours to remove.
			}
		}
	}

	private void acceptLoop(ServerSocketChannel channel, ThreadPoolExecutor pool) {
		while (channel.isOpen()) {
			SocketChannel connection;
			try {
				connection = channel.accept();
			}
			catch (ClosedChannelException ex) {
				return;
			}
			catch (IOException ex) {
				logger.log(Level.WARNING, "Shared memory manager server on {0} cannot accept a connection: {1}",
						this.boundAddress, ex.toString());
				sleep(ACCEPT_RETRY_MILLIS);
				continue;
			}
			try {
				pool.execute(() -> serve(connection));
			}
			catch (RejectedExecutionException ex) {
				this.counters.connection(ConnectionOutcome.REJECTED);
				closeQuietly(connection);
			}
		}
	}

	/**
	 * Serves one connection: authenticate, read one request, answer, close.
	 */
	private void serve(SocketChannel connection) {
		Peer peer = peer(connection);
		Deadline deadline = Deadlines.start(connection, this.settings.timeout());
		boolean authenticated = false;
		try {
			// Buffered: a message's length and payload come in one segment, read in one
			// call rather than two.
			MessageStream stream = new MessageStream(
					new BufferedInputStream(Channels.newInputStream(connection), READ_BUFFER_BYTES),
					new QuickAckOutputStream(Channels.newOutputStream(connection), connection));
			this.handshake.authenticateClient(stream);
			authenticated = true;
			Request request;
			try {
				request = Request.of(this.decoder.decode(stream.receive(this.settings.maxRequestBytes())));
			}
			catch (EOFException ex) {
				logger.log(Level.WARNING, "Shared memory manager server: {0} authenticated, then sent no request",
						peer);
				this.counters.connection(ConnectionOutcome.BAD_REQUEST);
				return;
			}
			catch (ProtocolException ex) {
				logger.log(Level.WARNING, "Shared memory manager server refused a request from {0}: {1}", peer,
						ex.getMessage());
				this.counters.connection(ConnectionOutcome.BAD_REQUEST);
				stream.send(this.encoder.encode(Reply.traceback("ValueError", ex.getMessage()).toTuple()));
				return;
			}
			this.counters.connection(ConnectionOutcome.ACCEPTED);
			Reply reply = this.service.handle(request, peer);
			this.counters.request(request.method(),
					reply.isReturn() ? RequestOutcome.RETURNED : RequestOutcome.TRACEBACK);
			stream.send(this.encoder.encode(reply.toTuple()));
		}
		catch (IOException ex) {
			if (deadline.expired()) {
				logger.log(Level.WARNING, "Shared memory manager server cut off {0}: no {1} within {2}", peer,
						authenticated ? "request" : "authentication", this.settings.timeout());
				this.counters.connection(ConnectionOutcome.TIMED_OUT);
			}
			else if (!authenticated) {
				logger.log(Level.WARNING, "Shared memory manager server refused a connection from {0}: {1}", peer,
						(ex instanceof ProtocolException) ? ex.getMessage() : ex.toString());
				this.counters.connection(ConnectionOutcome.AUTHENTICATION_FAILED);
			}
			else {
				// The request was read and answered, or refused and counted: the peer
				// left before the reply.
				logger.log(Level.DEBUG, "Shared memory manager server could not reply to {0}: {1}", peer, ex);
			}
		}
		finally {
			// Closed after counting, so that whoever sees the connection end sees it
			// counted.
			deadline.cancel();
			closeQuietly(connection);
		}
	}

	private Peer peer(SocketChannel connection) {
		try {
			if (this.boundAddress instanceof ManagerAddress.Unix unix) {
				String user = connection.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
				return new Peer(unix.path().toString(), user);
			}
			InetSocketAddress remote = (InetSocketAddress) connection.getRemoteAddress();
			return new Peer(remote.getAddress().getHostAddress() + ":" + remote.getPort(), null);
		}
		catch (IOException | RuntimeException ex) {
			return new Peer(String.valueOf(this.boundAddress) + " (peer unknown)", null);
		}
	}

	/**
	 * Acknowledges at once what the client sends after each of the server's messages.
	 * CPython's client writes its {@code #WELCOME#} and its request back to back, without
	 * {@code TCP_NODELAY}: Nagle's algorithm holds the request until the welcome is
	 * acknowledged, and Linux delays that acknowledgement (up to 40 ms) once the server
	 * has answered, expecting to piggyback it. {@code TCP_QUICKACK} is not permanent, so
	 * it is set after every write.
	 */
	private static final class QuickAckOutputStream extends FilterOutputStream {

		private final SocketChannel connection;

		private final boolean supported;

		QuickAckOutputStream(OutputStream out, SocketChannel connection) {
			super(out);
			this.connection = connection;
			this.supported = connection.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			this.out.write(bytes, offset, length);
			if (this.supported) {
				this.connection.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
			}
		}

	}

	/**
	 * Stops from another thread: a remote shutdown arrives on a worker, which stop()
	 * waits for.
	 */
	private void stopSoon() {
		daemon(this::stop, "shared-memory-manager-shutdown").start();
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// Closing is the last thing done with it.
		}
	}

}
