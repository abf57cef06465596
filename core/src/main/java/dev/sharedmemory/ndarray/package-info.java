/**
 * Typed n-dimensional arrays in shared memory blocks, in numpy's {@code .npy} layout: a
 * block that describes its own dtype, shape and order, which numpy opens zero-copy with
 * {@code np.load(path, mmap_mode="r+")}, and plain blocks read as arrays of a given dtype
 * and shape. {@link dev.sharedmemory.ndarray.NDArray} is the array; {@code NpyLayout}
 * alone knows the format.
 */
@NullMarked
package dev.sharedmemory.ndarray;

import org.jspecify.annotations.NullMarked;
