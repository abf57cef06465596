package dev.sharedmemory.benchmarks;

import java.util.Arrays;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The two 256 MiB heap arrays that bulk copies go from and to, both touched beforehand so
 * that only the block's side of a copy is ever fresh.
 */
@State(Scope.Benchmark)
public class BulkData {

	/** The size of every bulk copy: 256 MiB. */
	public static final int SIZE = 256 << 20;

	byte[] source;

	byte[] target;

	/**
	 * Fills the source with a pattern and touches every page of the target.
	 */
	@Setup
	public void setUp() {
		this.source = new byte[SIZE];
		for (int i = 0; i < SIZE; i++) {
			this.source[i] = (byte) (i * 31 + 7);
		}
		this.target = new byte[SIZE];
		Arrays.fill(this.target, (byte) 1);
	}

}
