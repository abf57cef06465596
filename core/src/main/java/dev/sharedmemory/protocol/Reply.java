package dev.sharedmemory.protocol;

import dev.sharedmemory.protocol.pickle.PickleTuple;
import org.jspecify.annotations.Nullable;

/**
 * A manager reply: {@code ('#RETURN', value)}, or {@code ('#TRACEBACK', text)}, which a
 * Python client raises as a {@code RemoteError} showing the text.
 *
 * @param kind {@link #RETURN} or {@link #TRACEBACK}
 * @param value the value returned, or the traceback's text
 */
public record Reply(String kind, @Nullable Object value) {

	/** The kind of a reply that returns a value. */
	public static final String RETURN = "#RETURN";

	/** The kind of a reply that reports an error. */
	public static final String TRACEBACK = "#TRACEBACK";

	/**
	 * Creates a reply that returns a value.
	 * @param value the value
	 * @return the reply
	 */
	public static Reply returned(@Nullable Object value) {
		return new Reply(RETURN, value);
	}

	/**
	 * Creates a reply that reports an error, as the last line of a Python traceback
	 * reads.
	 * @param pythonType the Python exception type the client reads, such as
	 * {@code ValueError}
	 * @param message what went wrong
	 * @return the reply
	 */
	public static Reply traceback(String pythonType, String message) {
		return new Reply(TRACEBACK,
				"Traceback (from the dev.sharedmemory manager server):\n" + pythonType + ": " + message + "\n");
	}

	/**
	 * Tells whether this reply returns a value.
	 * @return {@code true} for {@code #RETURN}
	 */
	public boolean isReturn() {
		return RETURN.equals(this.kind);
	}

	/**
	 * Returns the reply as the tuple a server pickles.
	 * @return {@code (kind, value)}
	 */
	public PickleTuple toTuple() {
		return PickleTuple.of(this.kind, this.value);
	}

}
