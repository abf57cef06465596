package dev.sharedmemory.protocol.pickle;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A Python tuple, kept apart from a list: the manager's requests and replies are tuples,
 * and a reply's value may be either.
 *
 * @param items the items, which may be {@code null} (Python's None)
 */
public record PickleTuple(List<@Nullable Object> items) {

	/**
	 * Creates a tuple; the items are copied.
	 * @param items the items
	 */
	public PickleTuple {
		items = Collections.unmodifiableList(Arrays.asList(items.toArray()));
	}

	/**
	 * Creates a tuple of the given items.
	 * @param items the items
	 * @return the tuple
	 */
	public static PickleTuple of(@Nullable Object... items) {
		return new PickleTuple(Arrays.asList(items));
	}

	/**
	 * Returns the number of items.
	 * @return the size
	 */
	public int size() {
		return this.items.size();
	}

	/**
	 * Returns an item.
	 * @param index its index
	 * @return the item
	 */
	public @Nullable Object get(int index) {
		return this.items.get(index);
	}

	@Override
	public String toString() {
		String end = (size() == 1) ? ",)" : ")";
		return this.items.stream().map(String::valueOf).collect(Collectors.joining(", ", "(", end));
	}

}
