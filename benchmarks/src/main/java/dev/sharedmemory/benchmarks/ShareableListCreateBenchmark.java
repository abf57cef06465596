package dev.sharedmemory.benchmarks;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.ShareableList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 3: creating a 1000-item {@link ShareableList} of mixed items (int, float, str,
 * bytes, bool, None) in the default directory, alone and with its close and unlink;
 * Python's {@code ShareableList(items)}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ShareableListCreateBenchmark {

	private List<Object> items;

	private ShareableList created;

	/**
	 * Builds the items.
	 */
	@Setup
	public void setUp() {
		this.items = ListItems.mixed();
	}

	/**
	 * Removes the list {@link #create()} made, outside the measured time.
	 */
	@TearDown(Level.Invocation)
	public void dropCreated() {
		if (this.created != null) {
			ListItems.destroy(this.created);
			this.created = null;
		}
	}

	/**
	 * Creates the list.
	 * @return the list
	 */
	@Benchmark
	public ShareableList create() {
		this.created = ListItems.create(this.items);
		return this.created;
	}

	/**
	 * Creates the list, closes it and unlinks it.
	 * @return the closed list
	 */
	@Benchmark
	public ShareableList createCloseUnlink() {
		ShareableList list = ListItems.create(this.items);
		ListItems.destroy(list);
		return list;
	}

}
