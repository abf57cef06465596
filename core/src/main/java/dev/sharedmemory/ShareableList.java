package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

import org.jspecify.annotations.Nullable;

import dev.sharedmemory.list.ItemCodec;
import dev.sharedmemory.list.ItemType;
import dev.sharedmemory.list.PythonEquality;
import dev.sharedmemory.list.PythonRepr;
import dev.sharedmemory.list.ShareableListHeader;
import dev.sharedmemory.list.ShareableListLayout;

import static dev.sharedmemory.list.ShareableListLayout.BOOL_TRUE;

/**
 * A list of fixed length in a shared memory block: Python's
 * {@code multiprocessing.shared_memory.ShareableList} for the JVM, byte for byte, so that
 * a list created on one side is read and changed on the other (CPython 3.9 to 3.13).
 * <p>
 * Items are {@code null} (Python's None), {@link Boolean}, {@link Long} (an
 * {@link Integer}, {@link Short} or {@link Byte} is widened), {@link Double} (a
 * {@link Float} is widened), {@link String} (stored as UTF-8) and {@code byte[]};
 * {@link #get(int)} returns one of these. Each item has a slot fixed when the list is
 * created: 8 bytes for a number, a bool or None, and for a str or bytes value the next
 * multiple of 8 above its length in bytes. {@link #set(int, Object)} may change an item's
 * type, as in Python, as long as the new value fits the slot. As in Python, trailing NUL
 * bytes of a str or bytes value are lost on reading, since no length is stored.
 * <p>
 * Where Java does better than CPython: str slots are sized by UTF-8 bytes, not
 * characters, so multi-byte text is never cut short (CPython's gh-88336); text that
 * CPython did cut inside a character reads without its incomplete last character instead
 * of failing. Attaching checks the whole header, so a block that holds no valid list
 * fails with an {@link InvalidShareableListException} rather than a crash or a huge
 * allocation.
 * <p>
 * Item types are read from the block on every access, since another process may change
 * them; the slots' offsets are read once. An item that another process left with a format
 * or code CPython never writes fails on access with an
 * {@link InvalidShareableListException}; nothing is ever read outside the item's slot.
 * The typed getters and setters ({@link #getLong(int)}, {@link #setDouble(int, double)},
 * ...) neither box nor allocate. Instances are thread-safe in the way the block itself
 * is: nothing is locked, and concurrent writers of one item, in this process or another,
 * race as they do in Python.
 * <p>
 * The length is fixed: whatever would change it ({@code add}, {@code remove},
 * {@code clear}, ...) throws {@link UnsupportedOperationException} naming the length; a
 * call that would change nothing, such as removing an item the list does not hold,
 * returns {@code false}, as it does on {@link java.util.Arrays#asList(Object...)}.
 * <p>
 * {@link #close()} ends this process's use of the block and never unlinks it;
 * {@code shm().unlink()} does. After close, every access to the items throws
 * {@link IllegalStateException}.
 */
public final class ShareableList extends AbstractList<@Nullable Object> implements RandomAccess, AutoCloseable {

	// Lists up to this size are built on the heap and written with their block's
	// creation (one pwrite, no page fault per page of the new mapping); larger ones in
	// place, so that a large list never needs a heap buffer of its size.
	static final long BUILT_ON_HEAP_BYTES = 1 << 20;

	private final SharedMemory shm;

	private final ByteBuffer buffer;

	private final ShareableListHeader header;

	private final int length;

	private ShareableList(SharedMemory shm, ByteBuffer buffer, ShareableListHeader header) {
		this.shm = shm;
		this.buffer = buffer;
		this.header = header;
		this.length = header.length();
	}

	/**
	 * Creates a list under a new generated name in the default directory.
	 * @param items the items
	 * @return the new list
	 * @see #create(SharedMemoryDirectory, String, List)
	 */
	public static ShareableList create(List<?> items) {
		return create(SharedMemoryDirectory.defaultDirectory(), null, items);
	}

	/**
	 * Creates a list under the given name in the default directory.
	 * @param name the block's name, or {@code null} for a generated one
	 * @param items the items
	 * @return the new list
	 * @see #create(SharedMemoryDirectory, String, List)
	 */
	public static ShareableList create(@Nullable String name, List<?> items) {
		return create(SharedMemoryDirectory.defaultDirectory(), name, items);
	}

	/**
	 * Creates a list in a block of exactly the size CPython would give it (the same items
	 * give the same format). Every item is checked before the block is created: a list
	 * that cannot be created leaves no block behind.
	 * @param directory where to create the block
	 * @param name the block's name, or {@code null} for a generated one ({@code psm_} and
	 * 8 hex characters)
	 * @param items the items; another {@code ShareableList} copies it
	 * @return the new list
	 * @throws IllegalArgumentException if an item has a type a list cannot hold (naming
	 * the item), if a str or bytes item is longer than 9999991 bytes (its slot size must
	 * fit the 8-byte format), if the block would be larger than one {@link ByteBuffer}
	 * can address, or if the name is invalid
	 * @throws SharedMemoryExistsException if the name is taken
	 * @throws SharedMemoryException if the block cannot be created
	 */
	public static ShareableList create(SharedMemoryDirectory directory, @Nullable String name, List<?> items) {
		Objects.requireNonNull(directory, "directory must not be null");
		return create(items,
				(size, content) -> directory.create(name, size, SharedMemoryDirectory.CreationListener.NONE, content));
	}

	/**
	 * Creates a list in a block the given function creates, once every item was checked
	 * and the block sized.
	 */
	static ShareableList create(List<?> items, NewBlock newBlock) {
		Objects.requireNonNull(items, "items must not be null");
		Object[] values = items.toArray();
		// Checked and sized first, then written: nothing encoded is kept in between.
		int[] encodedLengths = new int[values.length];
		for (int i = 0; i < values.length; i++) {
			encodedLengths[i] = ItemCodec.encodedLength(i, values[i]);
		}
		ShareableListHeader header = ShareableListHeader.forItems(encodedLengths);
		long size = header.blockSize();
		if (size <= BUILT_ON_HEAP_BYTES) {
			// Written with the block's creation: the first write through a fresh mapping
			// costs a page fault per page, which in a virtual machine costs more than
			// building the list here and copying it.
			ByteBuffer content = ByteBuffer.allocate((int) size).order(ByteOrder.nativeOrder());
			write(content, header, values);
			SharedMemory shm = newBlock.create(size, content);
			return new ShareableList(shm, shm.buf(), header);
		}
		// A large list is written in place, rather than held twice in memory.
		SharedMemory shm = newBlock.create(size, null);
		try {
			ByteBuffer buffer = shm.buf();
			write(buffer, header, values);
			return new ShareableList(shm, buffer, header);
		}
		catch (RuntimeException ex) {
			shm.close();
			try {
				shm.unlink();
			}
			catch (SharedMemoryException unlinkFailure) {
				ex.addSuppressed(unlinkFailure);
			}
			throw ex;
		}
	}

	private static void write(ByteBuffer buffer, ShareableListHeader header, Object[] values) {
		header.write(buffer);
		for (int i = 0; i < values.length; i++) {
			ItemCodec.write(buffer, header, i, values[i]);
		}
	}

	/**
	 * Creates the block of a new list.
	 */
	@FunctionalInterface
	interface NewBlock {

		/**
		 * Creates a block of the given size.
		 * @param size the size
		 * @param content what the block starts with, or {@code null} to start with zeros
		 * @return the block
		 */
		SharedMemory create(long size, @Nullable ByteBuffer content);

	}

	/**
	 * Attaches to the list in an existing block of the default directory.
	 * @param name the block's name, with or without a leading slash
	 * @return the list
	 * @throws SharedMemoryNotFoundException if there is no such block
	 * @throws InvalidShareableListException if the block holds no valid list; the block
	 * is left as it is
	 * @see #of(SharedMemory)
	 */
	public static ShareableList attach(String name) {
		SharedMemory shm = SharedMemory.attach(name);
		try {
			return of(shm);
		}
		catch (RuntimeException ex) {
			shm.close();
			throw ex;
		}
	}

	/**
	 * Reads the list in an attached block, after checking that its header describes a
	 * valid list: a length that the block can hold, offsets that start at 0, grow by at
	 * least 8 and add up to the block's exact size, and for every item a format and
	 * back-transform code that CPython writes. Nothing is allocated before the length is
	 * checked against the block's size. On failure the block is left open and as it is.
	 * @param shm the block; closing the list closes it
	 * @return the list
	 * @throws InvalidShareableListException if the block holds no valid list, naming the
	 * block and the fault
	 * @throws IllegalStateException if the block is closed
	 */
	public static ShareableList of(SharedMemory shm) {
		Objects.requireNonNull(shm, "shm must not be null");
		ShareableListHeader header = ShareableListHeader.read(shm);
		return new ShareableList(shm, shm.buf(), header);
	}

	/**
	 * Returns the block that holds the list.
	 * @return the block
	 */
	public SharedMemory shm() {
		return this.shm;
	}

	/**
	 * Returns the list's struct format, as Python's {@code format} property: every item's
	 * format in order, such as {@code 8s8sdqxxxxxx?xxxxxxxx?q} for
	 * {@code ['howdy', b'HoWdY', -273.154, 100, None, True, 42]}.
	 * @return the format, read from the block now
	 * @throws IllegalStateException if the list is closed
	 * @throws InvalidShareableListException if an item's format or code is invalid
	 */
	public String format() {
		ByteBuffer buffer = buffer();
		StringBuilder format = new StringBuilder();
		for (int i = 0; i < this.length; i++) {
			long itemFormat = buffer.getLong(this.header.formatOffset(i));
			type(buffer, i, itemFormat);
			format.append(ShareableListLayout.formatText(itemFormat));
		}
		return format.toString();
	}

	/**
	 * Returns the number of items, fixed when the list was created; known even after
	 * {@link #close()}.
	 * @return the length
	 */
	@Override
	public int size() {
		return this.length;
	}

	/**
	 * Returns an item: a {@link Long}, {@link Double}, {@link Boolean}, {@link String},
	 * {@code byte[]} (a new array) or {@code null}.
	 * @param index the item's index
	 * @return the item
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 * @throws InvalidShareableListException if the item's format or code is invalid
	 */
	@Override
	public @Nullable Object get(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(this.header.formatOffset(index));
		int slot = this.header.slot(index);
		return switch (type(buffer, index, format)) {
			case INT -> Long.valueOf(buffer.getLong(slot));
			case FLOAT -> Double.valueOf(buffer.getDouble(slot));
			case BOOL -> Boolean.valueOf(ItemCodec.readBool(buffer, slot));
			case NONE -> null;
			case STR -> ItemCodec.readString(buffer, slot, valueSize(index, format));
			case BYTES -> ItemCodec.readBytes(buffer, slot, valueSize(index, format));
		};
	}

	/**
	 * Returns an int item.
	 * @param index the item's index
	 * @return the value
	 * @throws ClassCastException if the item is not an int, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public long getLong(int index) {
		ByteBuffer buffer = buffer(index);
		expect(index, type(buffer, index), ItemType.INT);
		return buffer.getLong(this.header.slot(index));
	}

	/**
	 * Returns a float item.
	 * @param index the item's index
	 * @return the value
	 * @throws ClassCastException if the item is not a float, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public double getDouble(int index) {
		ByteBuffer buffer = buffer(index);
		expect(index, type(buffer, index), ItemType.FLOAT);
		return buffer.getDouble(this.header.slot(index));
	}

	/**
	 * Returns a bool item.
	 * @param index the item's index
	 * @return the value
	 * @throws ClassCastException if the item is not a bool, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public boolean getBoolean(int index) {
		ByteBuffer buffer = buffer(index);
		expect(index, type(buffer, index), ItemType.BOOL);
		return ItemCodec.readBool(buffer, this.header.slot(index));
	}

	/**
	 * Returns a str item, without its trailing NULs.
	 * @param index the item's index
	 * @return the text, or {@code null} if the item is None
	 * @throws ClassCastException if the item is neither a str nor None, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public @Nullable String getString(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(this.header.formatOffset(index));
		ItemType type = type(buffer, index, format);
		if (type == ItemType.NONE) {
			return null;
		}
		expect(index, type, ItemType.STR);
		return ItemCodec.readString(buffer, this.header.slot(index), valueSize(index, format));
	}

	/**
	 * Returns a bytes item, without its trailing NULs.
	 * @param index the item's index
	 * @return a new array, or {@code null} if the item is None
	 * @throws ClassCastException if the item is neither bytes nor None, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public byte @Nullable [] getBytes(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(this.header.formatOffset(index));
		ItemType type = type(buffer, index, format);
		if (type == ItemType.NONE) {
			return null;
		}
		expect(index, type, ItemType.BYTES);
		return ItemCodec.readBytes(buffer, this.header.slot(index), valueSize(index, format));
	}

	/**
	 * Tells whether an item is None.
	 * @param index the item's index
	 * @return {@code true} if it is
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public boolean isNull(int index) {
		return type(buffer(index), index) == ItemType.NONE;
	}

	/**
	 * Replaces an item, changing its type if need be, as Python's
	 * {@code sl[index] = value} does: an int, float, bool or None fits any slot; a str or
	 * bytes value fits a slot at least as long as its bytes. On failure nothing is
	 * written.
	 * @param index the item's index
	 * @param value the new value: null, a Boolean, a Long, Integer, Short or Byte, a
	 * Double or Float, a String or a byte[]
	 * @return the item it replaced
	 * @throws IllegalArgumentException if the value has a type a list cannot hold, or
	 * exceeds the available storage of the item's slot (naming the value's size and the
	 * slot's)
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public @Nullable Object set(int index, @Nullable Object value) {
		checkFits(index, value);
		Object previous = get(index);
		ItemCodec.write(this.buffer, this.header, index, value);
		return previous;
	}

	/**
	 * Makes an item an int.
	 * @param index the item's index
	 * @param value the value
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setLong(int index, long value) {
		ItemCodec.writeWord(buffer(index), this.header, index, ItemType.INT, value);
	}

	/**
	 * Makes an item a float.
	 * @param index the item's index
	 * @param value the value
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setDouble(int index, double value) {
		ItemCodec.writeWord(buffer(index), this.header, index, ItemType.FLOAT, Double.doubleToRawLongBits(value));
	}

	/**
	 * Makes an item a bool.
	 * @param index the item's index
	 * @param value the value
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setBoolean(int index, boolean value) {
		ItemCodec.writeWord(buffer(index), this.header, index, ItemType.BOOL, value ? BOOL_TRUE : 0);
	}

	/**
	 * Makes an item None.
	 * @param index the item's index
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setNull(int index) {
		ItemCodec.writeWord(buffer(index), this.header, index, ItemType.NONE, 0);
	}

	/**
	 * Makes an item a str, stored as UTF-8.
	 * @param index the item's index
	 * @param value the text, or {@code null} for None
	 * @throws IllegalArgumentException if the text exceeds the available storage of the
	 * item's slot, or holds an unpaired surrogate
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setString(int index, @Nullable String value) {
		checkFits(index, value);
		ItemCodec.write(this.buffer, this.header, index, value);
	}

	/**
	 * Makes an item bytes.
	 * @param index the item's index
	 * @param value the bytes, or {@code null} for None
	 * @throws IllegalArgumentException if the bytes exceed the available storage of the
	 * item's slot
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setBytes(int index, byte @Nullable [] value) {
		checkFits(index, value);
		ItemCodec.write(this.buffer, this.header, index, value);
	}

	/**
	 * Counts the items equal to a value in Python's terms, as Python's {@code count}
	 * does: numbers by value across types ({@code 1 == 1.0 == true}), byte arrays and
	 * strings by content.
	 * @param value the value to look for
	 * @return how many items equal it
	 * @throws IllegalStateException if the list is closed
	 */
	public int count(@Nullable Object value) {
		int count = 0;
		for (int i = 0; i < this.length; i++) {
			if (PythonEquality.equal(value, get(i))) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Returns the index of the first item equal to a value in Python's terms, as Python's
	 * {@code index} does (but -1 where Python raises): numbers by value across types
	 * ({@code 1 == 1.0 == true}), byte arrays and strings by content. Unlike
	 * {@code List.indexOf}, {@code indexOf(1)} finds {@code 1L}, {@code 1.0} and
	 * {@code true}.
	 * @param value the value to look for
	 * @return the index, or -1 if no item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public int indexOf(@Nullable Object value) {
		for (int i = 0; i < this.length; i++) {
			if (PythonEquality.equal(value, get(i))) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Returns the index of the last item equal to a value in Python's terms, as
	 * {@link #indexOf(Object)} compares.
	 * @param value the value to look for
	 * @return the index, or -1 if no item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public int lastIndexOf(@Nullable Object value) {
		for (int i = this.length - 1; i >= 0; i--) {
			if (PythonEquality.equal(value, get(i))) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Tells whether an item equals a value in Python's terms, as {@link #indexOf(Object)}
	 * compares.
	 * @param value the value to look for
	 * @return {@code true} if an item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public boolean contains(@Nullable Object value) {
		return indexOf(value) >= 0;
	}

	/**
	 * Always throws: a list's length is fixed. Every insertion {@link AbstractList} makes
	 * comes here.
	 * @throws UnsupportedOperationException always, naming the length
	 */
	@Override
	public void add(int index, @Nullable Object element) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed. Every removal {@link AbstractList} makes,
	 * through its iterators included, comes here.
	 * @throws UnsupportedOperationException always, naming the length
	 */
	@Override
	public Object remove(int index) {
		throw fixedLength();
	}

	private UnsupportedOperationException fixedLength() {
		return new UnsupportedOperationException(
				"ShareableList '" + this.shm.name() + "' has a fixed length of " + this.length);
	}

	/**
	 * Ends this process's use of the block, which lives on; never unlinks it. Idempotent.
	 */
	@Override
	public void close() {
		this.shm.close();
	}

	/**
	 * Compares with another list item by item, as {@link List#equals(Object)} does but
	 * with byte arrays compared by content.
	 * @param other the object to compare with
	 * @return {@code true} if it is a list of the same length and equal items
	 */
	@Override
	public boolean equals(@Nullable Object other) {
		if (other == this) {
			return true;
		}
		if (!(other instanceof List<?> list) || list.size() != this.length) {
			return false;
		}
		Iterator<?> theirs = list.iterator();
		for (int i = 0; i < this.length; i++) {
			if (!theirs.hasNext() || !Objects.deepEquals(get(i), theirs.next())) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Returns the hash code {@link List#hashCode()} defines, with byte arrays hashed by
	 * content.
	 * @return the hash code of the items now
	 */
	@Override
	public int hashCode() {
		int hash = 1;
		for (int i = 0; i < this.length; i++) {
			Object item = get(i);
			hash = 31 * hash + ((item instanceof byte[] bytes) ? Arrays.hashCode(bytes) : Objects.hashCode(item));
		}
		return hash;
	}

	/**
	 * Returns what Python's {@code repr} shows, such as
	 * {@code ShareableList(['howdy', b'HoWdY', -273.154, 100, None, True, 42], name='psm_1a2b3c4d')};
	 * a closed list shows {@code <closed>} for its items.
	 * @return the representation
	 */
	@Override
	public String toString() {
		String name = PythonRepr.str(this.shm.name());
		if (this.shm.isClosed()) {
			return "ShareableList(<closed>, name=" + name + ")";
		}
		return "ShareableList(" + PythonRepr.list(this) + ", name=" + name + ")";
	}

	private ByteBuffer buffer(int index) {
		Objects.checkIndex(index, this.length);
		return buffer();
	}

	private ByteBuffer buffer() {
		if (this.shm.isClosed()) {
			throw new IllegalStateException("ShareableList '" + this.shm.name() + "' is closed");
		}
		return this.buffer;
	}

	private ItemType type(ByteBuffer buffer, int index) {
		return this.header.type(this.shm.name(), buffer, index);
	}

	private ItemType type(ByteBuffer buffer, int index, long format) {
		return this.header.type(this.shm.name(), buffer, index, format);
	}

	private void expect(int index, ItemType actual, ItemType expected) {
		if (actual != expected) {
			throw new ClassCastException("Item " + index + " of ShareableList '" + this.shm.name() + "' is "
					+ actual.description() + ", not " + expected.description());
		}
	}

	private int valueSize(int index, long format) {
		return ShareableListLayout.stringFormatSize(format, this.header.slotSize(index));
	}

	// Checks everything before anything is written: the index, the state, the type and
	// the size.
	private void checkFits(int index, @Nullable Object value) {
		buffer(index);
		int encodedLength = ItemCodec.encodedLength(index, value);
		if (encodedLength > this.header.slotSize(index)) {
			String type = (value instanceof String) ? ItemType.STR.description() : ItemType.BYTES.description();
			throw new IllegalArgumentException("Cannot set item " + index + " of ShareableList '" + this.shm.name()
					+ "' to " + type + " of " + encodedLength + " bytes: it exceeds the available storage of the"
					+ " item's " + this.header.slotSize(index) + "-byte slot");
		}
	}

}
