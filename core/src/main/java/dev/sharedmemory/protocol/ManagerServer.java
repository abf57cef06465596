package dev.sharedmemory.protocol;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.protocol.pickle.PickleDecoder;
import dev.sharedmemory.protocol.wire.Handshake;
import org.jspecify.annotations.Nullable;

/**
 * A server that CPython 3.9 to 3.13 clients use as their {@code SharedMemoryManager}:
 * {@code SharedMemoryManager(address=..., authkey=...).connect()}, then
 * {@code smm.SharedMemory(size)} and {@code smm.ShareableList(seq)}. It listens on TCP or
 * on a Unix socket (created with mode {@code 0600}), serves one request per connection as
 * CPython's clients send them, and cuts off a connection whose whole exchange takes
 * longer than the timeout. One thread (or {@link ManagerServerSettings#threads()}) serves
 * every connection without blocking on any, each a {@link ServerExchange}; past
 * {@link ManagerServerSettings#maxConnections()} at once, further ones are closed.
 * Nothing is unpickled before the client has authenticated, and then only the whitelist
 * of {@link PickleDecoder}.
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

	private static final long REBIND_RETRY_MILLIS = 100;

	private static final int REBIND_ATTEMPTS = 10;

	/** How long {@link #stop()} waits for a loop beyond the timeout of its exchanges. */
	private static final Duration STOP_MARGIN = Duration.ofSeconds(5);

	private static final AtomicInteger serverNumber = new AtomicInteger();

	private final ManagerServerSettings settings;

	private final SegmentRegistry registry;

	private final ManagerService service;

	private final Handshake handshake;

	private final ServerCounters counters = new ServerCounters();

	private final Object lifecycle = new Object();

	private @Nullable ServerSocketChannel listener;

	private List<ServerLoop> loops = List.of();

	private @Nullable Serving serving;

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
			Serving shared = new Serving(this.settings, this.handshake, this.service, this.counters, this.boundAddress);
			List<ServerLoop> started = new ArrayList<>();
			try {
				channel.configureBlocking(false);
				for (int i = 1; i <= this.settings.threads(); i++) {
					started.add(new ServerLoop(channel, shared, "shared-memory-manager-" + number + "-" + i));
				}
			}
			catch (IOException | RuntimeException ex) {
				closeQuietly(channel);
				removeSocketFile();
				throw (ex instanceof IOException io) ? new UncheckedIOException(io) : (RuntimeException) ex;
			}
			started.forEach(ServerLoop::start);
			this.listener = channel;
			this.loops = List.copyOf(started);
			this.serving = shared;
			logger.log(Level.INFO, "Shared memory manager server listening on {0}", this.boundAddress);
		}
	}

	/**
	 * Stops listening, lets the requests being served finish (up to the timeout) and
	 * removes the socket file. The registry's blocks are left to its owner.
	 */
	public void stop() {
		List<ServerLoop> stopping;
		synchronized (this.lifecycle) {
			if (this.listener == null || !this.listener.isOpen()) {
				return;
			}
			// The loops accept no more; the listener's close completes, and the port is
			// free, once they have all deregistered it.
			closeQuietly(this.listener);
			removeSocketFile();
			stopping = this.loops;
			this.loops = List.of();
		}
		stopping.forEach(ServerLoop::stop);
		for (ServerLoop loop : stopping) {
			if (!loop.await(this.settings.timeout().plus(STOP_MARGIN))) {
				logger.log(Level.WARNING, "Shared memory manager server on {0}: a loop did not stop in time",
						this.boundAddress);
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

	/**
	 * Returns how many connections are in the middle of their exchange.
	 * @return the count, {@code 0} when the server never started
	 */
	int openConnections() {
		synchronized (this.lifecycle) {
			return (this.serving != null) ? this.serving.open() : 0;
		}
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
				sleep(REBIND_RETRY_MILLIS);
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

	/**
	 * Stops from another thread: a remote shutdown arrives on a loop, which stop() waits
	 * for.
	 */
	private void stopSoon() {
		daemon(this::stop, "shared-memory-manager-shutdown").start();
	}

	private static Thread daemon(Runnable task, String name) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// Closing is the last thing done with it.
		}
	}

}
