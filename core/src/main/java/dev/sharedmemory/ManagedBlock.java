package dev.sharedmemory;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ndarray.NDArrayDescriptor;

/**
 * What a {@link SharedMemoryManager} knows of a block it created, at the moment it was asked.
 *
 * @param name the block's name
 * @param size its size in bytes
 * @param kind what it holds
 * @param createdAt when the manager created it
 * @param length for a {@link ShareableList}, its number of items; {@code -1} otherwise
 * @param format for a {@link ShareableList}, its struct format as Python gives it; {@code null} otherwise
 * @param array for an {@link dev.sharedmemory.ndarray.NDArray}, its dtype, shape and order and where its data
 * starts; {@code null} otherwise
 */
public record ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length,
		@Nullable String format, @Nullable NDArrayDescriptor array) {

	/**
	 * Describes a block that holds no array.
	 * @param name the block's name
	 * @param size its size in bytes
	 * @param kind what it holds
	 * @param createdAt when the manager created it
	 * @param length for a {@link ShareableList}, its number of items; {@code -1} otherwise
	 * @param format for a {@link ShareableList}, its struct format as Python gives it; {@code null} otherwise
	 */
	public ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length,
			@Nullable String format) {
		this(name, size, kind, createdAt, length, format, null);
	}

}
