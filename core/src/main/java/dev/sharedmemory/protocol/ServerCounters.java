package dev.sharedmemory.protocol;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The manager server's live counters: a fixed set of keys, counted without locks.
 */
final class ServerCounters {

	private final Map<ConnectionOutcome, LongAdder> connections = new EnumMap<>(ConnectionOutcome.class);

	private final Map<String, Map<RequestOutcome, LongAdder>> requests = new HashMap<>();

	ServerCounters() {
		for (ConnectionOutcome outcome : ConnectionOutcome.values()) {
			this.connections.put(outcome, new LongAdder());
		}
		for (String method : ManagerService.METHODS) {
			this.requests.put(method, newRequestCounters());
		}
		this.requests.put(ServerStatistics.OTHER_METHOD, newRequestCounters());
	}

	void connection(ConnectionOutcome outcome) {
		this.connections.get(outcome).increment();
	}

	void request(String method, RequestOutcome outcome) {
		Map<RequestOutcome, LongAdder> byOutcome = this.requests.get(method);
		if (byOutcome == null) {
			byOutcome = this.requests.get(ServerStatistics.OTHER_METHOD);
		}
		byOutcome.get(outcome).increment();
	}

	ServerStatistics snapshot() {
		Map<ConnectionOutcome, Long> connections = new EnumMap<>(ConnectionOutcome.class);
		this.connections.forEach((outcome, count) -> connections.put(outcome, count.sum()));
		Map<String, Map<RequestOutcome, Long>> requests = new HashMap<>();
		this.requests.forEach((method, byOutcome) -> {
			Map<RequestOutcome, Long> counts = new EnumMap<>(RequestOutcome.class);
			byOutcome.forEach((outcome, count) -> counts.put(outcome, count.sum()));
			requests.put(method, Map.copyOf(counts));
		});
		return new ServerStatistics(connections, requests);
	}

	private static Map<RequestOutcome, LongAdder> newRequestCounters() {
		Map<RequestOutcome, LongAdder> counters = new EnumMap<>(RequestOutcome.class);
		for (RequestOutcome outcome : RequestOutcome.values()) {
			counters.put(outcome, new LongAdder());
		}
		return counters;
	}

}
