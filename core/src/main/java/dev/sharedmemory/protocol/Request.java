package dev.sharedmemory.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sharedmemory.protocol.pickle.PickleTuple;
import org.jspecify.annotations.Nullable;

/**
 * A manager request, {@code (None, methodname, args, kwds)} as
 * {@code multiprocessing.managers.dispatch} sends it.
 *
 * @param method the method's name
 * @param args the positional arguments
 * @param kwds the keyword arguments
 */
public record Request(String method, List<@Nullable Object> args, Map<String, @Nullable Object> kwds) {

	/**
	 * Creates a request; the arguments are copied.
	 * @param method the method
	 * @param args the positional arguments
	 * @param kwds the keyword arguments
	 */
	public Request {
		args = new PickleTuple(args).items();
		kwds = Collections.unmodifiableMap(new LinkedHashMap<>(kwds));
	}

	/**
	 * Reads a request from a decoded pickle.
	 * @param decoded what the pickle held
	 * @return the request
	 * @throws ProtocolException if it is not a 4-tuple of an id, a str, a tuple and a
	 * dict of str keys
	 */
	public static Request of(@Nullable Object decoded) throws ProtocolException {
		if (!(decoded instanceof PickleTuple tuple) || tuple.size() != 4) {
			throw new ProtocolException("A request is a tuple (id, methodname, args, kwds), not " + describe(decoded));
		}
		if (!(tuple.get(1) instanceof String method)) {
			throw new ProtocolException("A request's method name is a str, not " + describe(tuple.get(1)));
		}
		if (!(tuple.get(2) instanceof PickleTuple args)) {
			throw new ProtocolException("A request's args are a tuple, not " + describe(tuple.get(2)));
		}
		if (!(tuple.get(3) instanceof Map<?, ?> kwds)) {
			throw new ProtocolException("A request's kwds are a dict, not " + describe(tuple.get(3)));
		}
		Map<String, @Nullable Object> keywords = new LinkedHashMap<>();
		for (Map.Entry<?, ?> entry : kwds.entrySet()) {
			if (!(entry.getKey() instanceof String key)) {
				throw new ProtocolException("A request's keyword names are str, not " + describe(entry.getKey()));
			}
			keywords.put(key, entry.getValue());
		}
		return new Request(method, args.items(), keywords);
	}

	/**
	 * Returns the request as the tuple a client pickles.
	 * @return {@code (None, method, args, kwds)}
	 */
	public PickleTuple toTuple() {
		return PickleTuple.of(null, this.method, new PickleTuple(this.args), this.kwds);
	}

	private static String describe(@Nullable Object value) {
		if (value == null) {
			return "None";
		}
		if (value instanceof PickleTuple tuple) {
			return "a tuple of " + tuple.size();
		}
		if (value instanceof List<?>) {
			return "a list";
		}
		if (value instanceof Map<?, ?>) {
			return "a dict";
		}
		return "a " + value.getClass().getSimpleName();
	}

}
