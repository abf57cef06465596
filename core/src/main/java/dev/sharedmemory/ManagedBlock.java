package dev.sharedmemory;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.ndarray.NDArrayDescriptor;

/**
 * What a {@link SharedMemoryManager} knows of a block it tracks, at the moment it was
 * asked: one it created, or one a Python client created and asked its manager server to
 * track.
 *
 * @param name the block's name
 * @param size its size in bytes
 * @param kind what it holds
 * @param createdAt when the manager created it, or started tracking it
 * @param length for a {@link ShareableList} the manager created, its number of items;
 * {@code -1} otherwise
 * @param format for a {@link ShareableList} the manager created, its struct format as
 * Python gives it; {@code null} otherwise
 * @param array for an {@link dev.sharedmemory.ndarray.NDArray}, its dtype, shape and
 * order and where its data starts; {@code null} otherwise
 * @param origin {@code null} for a block this process created; for a block tracked for a
 * client of the manager server, who asked (its address, or its user and the socket path)
 */
public record ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length,
		@Nullable String format, @Nullable NDArrayDescriptor array, @Nullable String origin) {

	/**
	 * Describes a block this process created.
	 * @param name the block's name
	 * @param size its size in bytes
	 * @param kind what it holds
	 * @param createdAt when the manager created it
	 * @param length for a {@link ShareableList}, its number of items; {@code -1}
	 * otherwise
	 * @param format for a {@link ShareableList}, its struct format as Python gives it;
	 * {@code null} otherwise
	 * @param array for an {@link dev.sharedmemory.ndarray.NDArray}, its descriptor;
	 * {@code null} otherwise
	 */
	public ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length, @Nullable String format,
			@Nullable NDArrayDescriptor array) {
		this(name, size, kind, createdAt, length, format, array, null);
	}

	/**
	 * Describes a block this process created that holds no array.
	 * @param name the block's name
	 * @param size its size in bytes
	 * @param kind what it holds
	 * @param createdAt when the manager created it
	 * @param length for a {@link ShareableList}, its number of items; {@code -1}
	 * otherwise
	 * @param format for a {@link ShareableList}, its struct format as Python gives it;
	 * {@code null} otherwise
	 */
	public ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length,
			@Nullable String format) {
		this(name, size, kind, createdAt, length, format, null);
	}

}
