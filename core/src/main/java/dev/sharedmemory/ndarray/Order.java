package dev.sharedmemory.ndarray;

/**
 * The order in which an array's elements lie in memory, as numpy's {@code order} argument
 * names it.
 */
public enum Order {

	/**
	 * Row-major: the last index varies fastest (numpy's default,
	 * {@code 'fortran_order': False}).
	 */
	C,

	/** Column-major: the first index varies fastest ({@code 'fortran_order': True}). */
	F

}
