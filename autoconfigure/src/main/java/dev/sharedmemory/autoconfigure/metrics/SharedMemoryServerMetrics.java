package dev.sharedmemory.autoconfigure.metrics;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.sharedmemory.protocol.ConnectionOutcome;
import dev.sharedmemory.protocol.ManagerServer;
import dev.sharedmemory.protocol.ManagerService;
import dev.sharedmemory.protocol.RequestOutcome;
import dev.sharedmemory.protocol.ServerStatistics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * A {@link MeterBinder} for a {@link ManagerServer}: its connections by outcome
 * ({@code shared.memory.server.connections}) and its requests by method and outcome
 * ({@code shared.memory.server.requests}). The methods are CPython's, and
 * {@value ServerStatistics#OTHER_METHOD} for any other name, so that a client cannot make
 * up time series. Every counter reads the server's statistics when it is measured.
 */
public class SharedMemoryServerMetrics implements MeterBinder {

	private final ManagerServer server;

	/**
	 * Creates a binder for the given server.
	 * @param server the server to measure
	 */
	public SharedMemoryServerMetrics(ManagerServer server) {
		this.server = server;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (ConnectionOutcome outcome : ConnectionOutcome.values()) {
			FunctionCounter
				.builder("shared.memory.server.connections", this.server,
						(server) -> server.statistics().connections(outcome))
				.description("Connections to the shared memory manager server, by how they ended")
				.baseUnit("connections")
				.tag("outcome", tagValue(outcome))
				.register(registry);
		}
		Set<String> methods = new TreeSet<>(ManagerService.METHODS);
		methods.add(ServerStatistics.OTHER_METHOD);
		for (String method : methods) {
			for (RequestOutcome outcome : RequestOutcome.values()) {
				FunctionCounter
					.builder("shared.memory.server.requests", this.server,
							(server) -> server.statistics().requests(method, outcome))
					.description("Requests to the shared memory manager server, by method and how they were answered")
					.baseUnit("requests")
					.tag("method", method)
					.tag("outcome", tagValue(outcome))
					.register(registry);
			}
		}
	}

	private static String tagValue(Enum<?> outcome) {
		return outcome.name().toLowerCase(Locale.ROOT);
	}

}
