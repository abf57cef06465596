package dev.sharedmemory.benchmarks;

import java.util.ArrayList;
import java.util.List;

import dev.sharedmemory.ShareableList;
import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;

/**
 * The lists of the ShareableList workloads, built as {@code python_bench.py} builds them.
 */
final class ListItems {

	/** The item read and written, as in the Python script. */
	static final int INDEX = 500;

	static final int COUNT = 1000;

	private ListItems() {
	}

	static List<Object> ints() {
		List<Object> items = new ArrayList<>(COUNT);
		for (int i = 0; i < COUNT; i++) {
			items.add((long) i * 7);
		}
		return items;
	}

	static List<Object> floats() {
		List<Object> items = new ArrayList<>(COUNT);
		for (int i = 0; i < COUNT; i++) {
			items.add(i * 0.5);
		}
		return items;
	}

	static List<Object> strings() {
		List<Object> items = new ArrayList<>(COUNT);
		for (int i = 0; i < COUNT; i++) {
			items.add(String.format("%016d", i));
		}
		return items;
	}

	/**
	 * 1000 items cycling through int, float, str, bytes, bool and None.
	 */
	static List<Object> mixed() {
		List<Object> items = new ArrayList<>(COUNT);
		for (int i = 0; i < COUNT; i++) {
			switch (i % 6) {
				case 0 -> items.add((long) i * 7);
				case 1 -> items.add(i * 0.5);
				case 2 -> items.add("item-" + i);
				case 3 -> items.add(("bytes-" + i).getBytes());
				case 4 -> items.add(i % 2 == 0);
				default -> items.add(null);
			}
		}
		return items;
	}

	static ShareableList create(List<Object> items) {
		return ShareableList.create(SharedMemoryDirectory.defaultDirectory(), null, items);
	}

	static void destroy(ShareableList list) {
		SharedMemory block = list.shm();
		list.close();
		block.unlink();
	}

}
