package dev.sharedmemory.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.protocol.wire.ThreadHandshake;

/**
 * A thread that accepts connections and serves them with a {@link Selector}, never
 * blocking on one: each connection is a {@link ServerExchange} stepped forward whenever
 * it can be read or written. A connection costs no thread and no context switch of its
 * own, which on a server of thousands of short connections a second is most of the cost.
 * <p>
 * The deadlines are checked on the loop, not by a timer: every exchange has the same
 * timeout, so they fall due in the order they were accepted, and the select waits no
 * longer than until the first is due.
 */
final class ServerLoop implements Runnable {

	private static final System.Logger logger = System.getLogger(ManagerServer.class.getName());

	private static final long ACCEPT_RETRY_MILLIS = 100;

	private final ServerSocketChannel listener;

	private final Serving serving;

	private final ThreadHandshake handshake;

	private final Selector selector;

	private final Thread thread;

	/** The exchanges in progress, in the order they were accepted: by deadline. */
	private final LinkedHashSet<ServerExchange> exchanges = new LinkedHashSet<>();

	private volatile boolean stopping;

	/**
	 * Opens the loop's selector; {@link #start()} runs it.
	 * @param listener the listening channel, non-blocking, which every loop of a server
	 * accepts from
	 * @param serving what the exchanges share
	 * @param name the thread's name
	 */
	ServerLoop(ServerSocketChannel listener, Serving serving, String name) {
		this.listener = listener;
		this.serving = serving;
		this.handshake = serving.handshake().forThread();
		try {
			this.selector = Selector.open();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot open a selector: " + ex.getMessage(), ex);
		}
		this.thread = new Thread(this, name);
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	/**
	 * Stops accepting; the exchanges in progress are served until they end or time out,
	 * then the loop ends.
	 */
	void stop() {
		this.stopping = true;
		this.selector.wakeup();
	}

	/**
	 * Waits for the loop to end.
	 * @param timeout how long to wait
	 * @return {@code true} if it ended
	 */
	boolean await(Duration timeout) {
		try {
			this.thread.join(timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return !this.thread.isAlive();
	}

	@Override
	public void run() {
		try {
			SelectionKey accepting = this.listener.register(this.selector, SelectionKey.OP_ACCEPT);
			while (true) {
				if (this.stopping) {
					accepting.cancel();
					if (this.exchanges.isEmpty()) {
						break;
					}
				}
				this.selector.select(this::ready, expireDue());
			}
		}
		catch (ClosedChannelException ex) {
			// Stopped before it started.
		}
		catch (IOException ex) {
			logger.log(Level.ERROR, "Shared memory manager server loop failed", ex);
		}
		finally {
			for (ServerExchange exchange : this.exchanges) {
				exchange.close();
			}
			this.exchanges.clear();
			try {
				// Deregisters the listener: the last of a server's loops to end lets its
				// close complete, and the port go.
				this.selector.close();
			}
			catch (IOException ex) {
				// Nothing more to release.
			}
		}
	}

	/**
	 * Cuts off the exchanges whose time is up.
	 * @return how long the select may wait, in milliseconds: until the next deadline, or
	 * {@code 0} (for ever) when no exchange is in progress
	 */
	private long expireDue() {
		long now = System.nanoTime();
		Iterator<ServerExchange> iterator = this.exchanges.iterator();
		while (iterator.hasNext()) {
			ServerExchange first = iterator.next();
			if (!first.isDue(now)) {
				return Math.max(1, TimeUnit.NANOSECONDS.toMillis(first.dueNanos() - now + 999_999));
			}
			iterator.remove();
			first.expire();
		}
		return 0;
	}

	private void ready(SelectionKey key) {
		if (key.attachment() instanceof ServerExchange exchange) {
			exchange.ready();
			if (exchange.isClosed()) {
				this.exchanges.remove(exchange);
			}
		}
		else if (key.isValid() && key.isAcceptable() && !this.stopping) {
			accept();
		}
	}

	/**
	 * Accepts one connection. One per wake-up, not until none is left: that last accept
	 * would be a system call for nothing on every connection of a quiet server, and under
	 * load the select that follows returns at once, with the other loops' share taken.
	 */
	private void accept() {
		SocketChannel connection;
		try {
			connection = this.listener.accept();
		}
		catch (ClosedChannelException ex) {
			return;
		}
		catch (IOException ex) {
			// Out of file descriptors, most often: the connection waits in the backlog.
			logger.log(Level.WARNING, "Shared memory manager server on {0} cannot accept a connection: {1}",
					this.listener, ex.toString());
			ManagerServer.sleep(ACCEPT_RETRY_MILLIS);
			return;
		}
		if (connection != null) {
			serve(connection);
		}
	}

	private void serve(SocketChannel connection) {
		if (!this.serving.tryOpen()) {
			this.serving.counters().connection(ConnectionOutcome.REJECTED);
			ManagerServer.closeQuietly(connection);
			return;
		}
		ServerExchange exchange = new ServerExchange(connection, this.serving, this.handshake, System.nanoTime());
		try {
			connection.configureBlocking(false);
			SelectionKey key = connection.register(this.selector, SelectionKey.OP_READ, exchange);
			this.exchanges.add(exchange);
			exchange.start(key);
		}
		catch (IOException ex) {
			// Gone before it was served: counted as a handshake that did not happen.
			this.serving.counters().connection(ConnectionOutcome.AUTHENTICATION_FAILED);
			exchange.close();
		}
		if (exchange.isClosed()) {
			this.exchanges.remove(exchange);
		}
	}

}
