package dev.sharedmemory.protocol;

import java.util.Map;

/**
 * A snapshot of the manager server's counters since it was created: connections by
 * outcome, and requests by method and outcome. Methods outside CPython's list are counted
 * under {@value #OTHER_METHOD}, so that a client cannot make up new meters.
 *
 * @param connections the connections by outcome, every outcome present
 * @param requests the requests by method, each by outcome, every method and outcome
 * present
 */
public record ServerStatistics(Map<ConnectionOutcome, Long> connections,
		Map<String, Map<RequestOutcome, Long>> requests) {

	/** The method under which requests naming an unknown method are counted. */
	public static final String OTHER_METHOD = "other";

	/**
	 * Copies the maps.
	 * @param connections the connections by outcome
	 * @param requests the requests by method and outcome
	 */
	public ServerStatistics {
		connections = Map.copyOf(connections);
		requests = Map.copyOf(requests);
	}

	/**
	 * Returns how many connections ended so.
	 * @param outcome the outcome
	 * @return the count
	 */
	public long connections(ConnectionOutcome outcome) {
		return this.connections.getOrDefault(outcome, 0L);
	}

	/**
	 * Returns how many requests for a method were answered so.
	 * @param method the method, or {@value #OTHER_METHOD}
	 * @param outcome the outcome
	 * @return the count
	 */
	public long requests(String method, RequestOutcome outcome) {
		Map<RequestOutcome, Long> byOutcome = this.requests.get(method);
		return (byOutcome != null) ? byOutcome.getOrDefault(outcome, 0L) : 0L;
	}

}
