package dev.sharedmemory.benchmarks;

import java.util.concurrent.TimeUnit;

import dev.sharedmemory.ShareableList;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Workload 2: reading and writing one item of a 1000-item {@link ShareableList} of ints,
 * floats or 16-character strings, through {@code get}/{@code set} and through the typed
 * getters and setters; Python's {@code sl[i]} and {@code sl[i] = v}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class ShareableListAccessBenchmark {

	/**
	 * A list of 1000 ints and the value written into it.
	 */
	@State(Scope.Thread)
	public static class Ints {

		ShareableList list;

		Object value = 123456789L;

		/**
		 * Creates the list.
		 */
		@Setup
		public void setUp() {
			this.list = ListItems.create(ListItems.ints());
		}

		/**
		 * Closes and unlinks the list.
		 */
		@TearDown
		public void tearDown() {
			ListItems.destroy(this.list);
		}

	}

	/**
	 * A list of 1000 floats and the value written into it.
	 */
	@State(Scope.Thread)
	public static class Floats {

		ShareableList list;

		Object value = 2.718281828;

		/**
		 * Creates the list.
		 */
		@Setup
		public void setUp() {
			this.list = ListItems.create(ListItems.floats());
		}

		/**
		 * Closes and unlinks the list.
		 */
		@TearDown
		public void tearDown() {
			ListItems.destroy(this.list);
		}

	}

	/**
	 * A list of 1000 16-character strings and the value written into it.
	 */
	@State(Scope.Thread)
	public static class Strings {

		ShareableList list;

		Object value = "abcdefghijklmnop";

		/**
		 * Creates the list.
		 */
		@Setup
		public void setUp() {
			this.list = ListItems.create(ListItems.strings());
		}

		/**
		 * Closes and unlinks the list.
		 */
		@TearDown
		public void tearDown() {
			ListItems.destroy(this.list);
		}

	}

	/**
	 * Reads an int through {@code get}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public Object intGet(Ints state) {
		return state.list.get(ListItems.INDEX);
	}

	/**
	 * Reads an int through {@code getLong}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public long intGetLong(Ints state) {
		return state.list.getLong(ListItems.INDEX);
	}

	/**
	 * Writes an int through {@code set}.
	 * @param state the list
	 * @return the item replaced
	 */
	@Benchmark
	public Object intSet(Ints state) {
		return state.list.set(ListItems.INDEX, state.value);
	}

	/**
	 * Writes an int through {@code setLong}.
	 * @param state the list
	 */
	@Benchmark
	public void intSetLong(Ints state) {
		state.list.setLong(ListItems.INDEX, 123456789L);
	}

	/**
	 * Reads a float through {@code get}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public Object floatGet(Floats state) {
		return state.list.get(ListItems.INDEX);
	}

	/**
	 * Reads a float through {@code getDouble}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public double floatGetDouble(Floats state) {
		return state.list.getDouble(ListItems.INDEX);
	}

	/**
	 * Writes a float through {@code set}.
	 * @param state the list
	 * @return the item replaced
	 */
	@Benchmark
	public Object floatSet(Floats state) {
		return state.list.set(ListItems.INDEX, state.value);
	}

	/**
	 * Writes a float through {@code setDouble}.
	 * @param state the list
	 */
	@Benchmark
	public void floatSetDouble(Floats state) {
		state.list.setDouble(ListItems.INDEX, 2.718281828);
	}

	/**
	 * Reads a string through {@code get}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public Object strGet(Strings state) {
		return state.list.get(ListItems.INDEX);
	}

	/**
	 * Reads a string through {@code getString}.
	 * @param state the list
	 * @return the item
	 */
	@Benchmark
	public String strGetString(Strings state) {
		return state.list.getString(ListItems.INDEX);
	}

	/**
	 * Writes a string through {@code set}.
	 * @param state the list
	 * @return the item replaced
	 */
	@Benchmark
	public Object strSet(Strings state) {
		return state.list.set(ListItems.INDEX, state.value);
	}

	/**
	 * Writes a string through {@code setString}.
	 * @param state the list
	 */
	@Benchmark
	public void strSetString(Strings state) {
		state.list.setString(ListItems.INDEX, (String) state.value);
	}

}
