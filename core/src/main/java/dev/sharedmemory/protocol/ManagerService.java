package dev.sharedmemory.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * What the methods of CPython's {@code SharedMemoryServer} do, over a
 * {@link SegmentRegistry}: {@code dummy}, {@code track_segment}, {@code release_segment},
 * {@code list_segments}, {@code number_of_objects}, {@code debug_info} and
 * {@code shutdown} (refused unless allowed: a Python client must not stop the
 * application). The proxy methods answer that they are not supported. Every failure is a
 * {@link Reply#traceback} that a Python user can read; nothing here touches a socket.
 * Thread-safe.
 */
public final class ManagerService {

	/**
	 * The methods CPython's {@code SharedMemoryServer.public} lists, which a request may
	 * name.
	 */
	public static final Set<String> METHODS = Set.of("shutdown", "create", "accept_connection", "get_methods",
			"debug_info", "number_of_objects", "dummy", "incref", "decref", "track_segment", "release_segment",
			"list_segments");

	private static final Set<String> PROXY_METHODS = Set.of("create", "accept_connection", "get_methods", "incref",
			"decref");

	private static final int MAX_NAME_SHOWN = 100;

	private final SegmentRegistry registry;

	private final boolean allowRemoteShutdown;

	private final Runnable shutdown;

	/**
	 * Creates the service.
	 * @param registry what tracks the blocks
	 * @param allowRemoteShutdown whether a client's {@code shutdown} releases every block
	 * and stops the server
	 * @param shutdown what stops the server, run after the blocks are released
	 */
	public ManagerService(SegmentRegistry registry, boolean allowRemoteShutdown, Runnable shutdown) {
		this.registry = Objects.requireNonNull(registry, "registry must not be null");
		this.allowRemoteShutdown = allowRemoteShutdown;
		this.shutdown = Objects.requireNonNull(shutdown, "shutdown must not be null");
	}

	/**
	 * Answers a request.
	 * @param request the request
	 * @param peer who sent it
	 * @return the reply, {@code #TRACEBACK} for any failure
	 */
	public Reply handle(Request request, Peer peer) {
		String method = request.method();
		try {
			if (PROXY_METHODS.contains(method)) {
				return Reply.traceback("NotImplementedError", "'" + method + "' is not supported: this manager"
						+ " server tracks shared memory blocks (SharedMemory, ShareableList) and serves no proxies");
			}
			return switch (method) {
				case "dummy" -> returnNothing(request);
				case "track_segment" -> {
					this.registry.track(name(request), peer);
					yield Reply.returned(null);
				}
				case "release_segment" -> {
					this.registry.release(name(request));
					yield Reply.returned(null);
				}
				case "list_segments" -> {
					bind(request);
					yield Reply.returned(new ArrayList<>(this.registry.names()));
				}
				case "number_of_objects" -> {
					bind(request);
					yield Reply.returned(0L);
				}
				case "debug_info" -> {
					bind(request);
					yield Reply
						.returned("dev.sharedmemory manager server: no shared objects, " + this.registry.names().size()
								+ " shared memory blocks tracked in " + this.registry.directory() + "\n");
				}
				case "shutdown" -> shutdown(request);
				default -> Reply.traceback("AssertionError", shown(method) + " unrecognized");
			};
		}
		catch (ArgumentException ex) {
			return Reply.traceback("TypeError", ex.getMessage());
		}
		catch (IllegalArgumentException ex) {
			return Reply.traceback("ValueError", Objects.toString(ex.getMessage(), ex.toString()));
		}
		catch (RuntimeException ex) {
			return Reply.traceback("OSError", ex.toString());
		}
	}

	private Reply returnNothing(Request request) {
		bind(request);
		return Reply.returned(null);
	}

	private Reply shutdown(Request request) {
		bind(request);
		if (!this.allowRemoteShutdown) {
			return Reply.traceback("PermissionError",
					"remote shutdown is refused: this manager server belongs to an application that stops it");
		}
		this.registry.releaseAll();
		this.shutdown.run();
		return Reply.returned(null);
	}

	private static String name(Request request) {
		Object name = bind(request, "segment_name").get(0);
		if (!(name instanceof String text)) {
			throw new ArgumentException(request.method() + "() argument 'segment_name' must be str, not "
					+ ((name == null) ? "None" : name.getClass().getSimpleName()));
		}
		return text;
	}

	/**
	 * Binds a request's arguments to the method's parameters, as Python's call does.
	 */
	private static List<@Nullable Object> bind(Request request, String... parameters) {
		String method = request.method();
		if (request.args().size() > parameters.length) {
			throw new ArgumentException(method + "() takes " + parameters.length + " arguments but "
					+ request.args().size() + " were given");
		}
		List<@Nullable Object> values = new ArrayList<>(request.args());
		for (String keyword : request.kwds().keySet()) {
			int index = List.of(parameters).indexOf(keyword);
			if (index < 0) {
				throw new ArgumentException(method + "() got an unexpected keyword argument " + shown(keyword));
			}
			if (index < values.size()) {
				throw new ArgumentException(method + "() got multiple values for argument " + shown(keyword));
			}
		}
		for (int i = values.size(); i < parameters.length; i++) {
			if (!request.kwds().containsKey(parameters[i])) {
				throw new ArgumentException(method + "() missing required argument: '" + parameters[i] + "'");
			}
			values.add(request.kwds().get(parameters[i]));
		}
		return values;
	}

	private static String shown(String text) {
		String shown = (text.length() > MAX_NAME_SHOWN) ? text.substring(0, MAX_NAME_SHOWN) + "..." : text;
		return "'" + shown + "'";
	}

	/**
	 * Arguments that do not fit the method: Python's {@code TypeError}.
	 */
	private static final class ArgumentException extends RuntimeException {

		private static final long serialVersionUID = 1L;

		ArgumentException(String message) {
			super(message);
		}

	}

}
