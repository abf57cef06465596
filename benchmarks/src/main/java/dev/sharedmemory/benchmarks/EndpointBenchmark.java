package dev.sharedmemory.benchmarks;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.DirectoriesDescriptor;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.SharedMemoryDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 5: {@code GET /actuator/sharedmemory}, and its census of the directory
 * ({@code ?scope=directory}), with 1,000 and 10,000 blocks, measured at the endpoint's
 * read operation itself: what grows with the count is there, not in HTTP.
 * <p>
 * The forks enable native access, as a user opts in: on JDK 22 and later the census then
 * lists with {@code getdents64} and {@code statx} through the foreign function API
 * instead of {@code find}. JDK 17 accepts the option and lists with {@code find}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class EndpointBenchmark {

	private SharedMemoryEndpoint endpoint;

	/**
	 * Makes the endpoint over the manager and its blocks.
	 * @param tracked the manager and its blocks
	 */
	@Setup
	public void setUp(TrackedBlocks tracked) {
		this.endpoint = new SharedMemoryEndpoint(Map.of("sharedMemoryManager", tracked.manager));
	}

	/**
	 * Takes a census of the directory
	 * ({@code GET /actuator/sharedmemory?scope=directory}): one entry per block, plus the
	 * manager's owner record and lock file. Target: 50 ms at 10,000 entries.
	 * @return the response body
	 */
	@Benchmark
	public DirectoriesDescriptor census() {
		return this.endpoint.census();
	}

	/**
	 * Calls the endpoint's read operation.
	 * @return the response body
	 */
	@Benchmark
	public SharedMemoryDescriptor read() {
		return this.endpoint.sharedMemory();
	}

}
