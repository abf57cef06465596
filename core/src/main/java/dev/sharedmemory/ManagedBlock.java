package dev.sharedmemory;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link SharedMemoryManager} knows of a block it created, at the moment it was asked.
 *
 * @param name the block's name
 * @param size its size in bytes
 * @param kind what it holds
 * @param createdAt when the manager created it
 * @param length for a {@link ShareableList}, its number of items; {@code -1} otherwise
 * @param format for a {@link ShareableList}, its struct format as Python gives it; {@code null} otherwise
 */
public record ManagedBlock(String name, long size, BlockKind kind, Instant createdAt, int length,
		@Nullable String format) {

}
