package dev.sharedmemory;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * CONTRACT PLACEHOLDER — replaced by the real implementation (issue 2). Signatures here are the agreed API.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, AutoCloseable {

	private ShareableList() {
	}

	public static ShareableList create(List<?> items) {
		return create(SharedMemoryDirectory.defaultDirectory(), null, items);
	}

	public static ShareableList create(String name, List<?> items) {
		return create(SharedMemoryDirectory.defaultDirectory(), name, items);
	}

	public static ShareableList create(SharedMemoryDirectory directory, String name, List<?> items) {
		throw new UnsupportedOperationException("not implemented yet");
	}

	public static ShareableList attach(String name) {
		return of(SharedMemory.attach(name));
	}

	public static ShareableList of(SharedMemory shm) {
		throw new UnsupportedOperationException("not implemented yet");
	}

	public SharedMemory shm() {
		throw new UnsupportedOperationException("not implemented yet");
	}

	public String format() {
		throw new UnsupportedOperationException("not implemented yet");
	}

	@Override
	public Object get(int index) {
		throw new UnsupportedOperationException("not implemented yet");
	}

	@Override
	public int size() {
		throw new UnsupportedOperationException("not implemented yet");
	}

	@Override
	public void close() {
		throw new UnsupportedOperationException("not implemented yet");
	}

}
