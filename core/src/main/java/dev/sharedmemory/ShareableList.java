package dev.sharedmemory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Predicate;

import static dev.sharedmemory.ShareableListLayout.BOOL_TRUE;
import static dev.sharedmemory.ShareableListLayout.BYTES_PER_ITEM;
import static dev.sharedmemory.ShareableListLayout.CODE_BYTES;
import static dev.sharedmemory.ShareableListLayout.CODE_NONE;
import static dev.sharedmemory.ShareableListLayout.CODE_STR;
import static dev.sharedmemory.ShareableListLayout.CODE_VALUE;
import static dev.sharedmemory.ShareableListLayout.EMPTY_LIST_SIZE;
import static dev.sharedmemory.ShareableListLayout.FORMAT_BOOL;
import static dev.sharedmemory.ShareableListLayout.FORMAT_FLOAT;
import static dev.sharedmemory.ShareableListLayout.FORMAT_INT;
import static dev.sharedmemory.ShareableListLayout.FORMAT_NONE;
import static dev.sharedmemory.ShareableListLayout.MAX_SLOT_SIZE;
import static dev.sharedmemory.ShareableListLayout.MAX_VALUE_LENGTH;
import static dev.sharedmemory.ShareableListLayout.MIN_SLOT_SIZE;
import static dev.sharedmemory.ShareableListLayout.WORD;

/**
 * A list of fixed length in a shared memory block: Python's {@code multiprocessing.shared_memory.ShareableList} for
 * the JVM, byte for byte, so that a list created on one side is read and changed on the other (CPython 3.9 to 3.13).
 * <p>
 * Items are {@code null} (Python's None), {@link Boolean}, {@link Long} (an {@link Integer}, {@link Short} or
 * {@link Byte} is widened), {@link Double} (a {@link Float} is widened), {@link String} (stored as UTF-8) and
 * {@code byte[]}; {@link #get(int)} returns one of these. Each item has a slot fixed when the list is created: 8
 * bytes for a number, a bool or None, and for a str or bytes value the next multiple of 8 above its length in bytes.
 * {@link #set(int, Object)} may change an item's type, as in Python, as long as the new value fits the slot. As in
 * Python, trailing NUL bytes of a str or bytes value are lost on reading, since no length is stored.
 * <p>
 * Where Java does better than CPython: str slots are sized by UTF-8 bytes, not characters, so multi-byte text is never
 * cut short (CPython's gh-88336); text that CPython did cut inside a character reads without its incomplete last
 * character instead of failing. Attaching checks the whole header, so a block that holds no valid list fails with an
 * {@link InvalidShareableListException} rather than a crash or a huge allocation.
 * <p>
 * Item types are read from the block on every access, since another process may change them; the slots' offsets are
 * read once. An item that another process left with a format or code CPython never writes fails on access with an
 * {@link InvalidShareableListException}; nothing is ever read outside the item's slot. The typed getters and setters ({@link #getLong(int)}, {@link #setDouble(int, double)}, ...) neither box
 * nor allocate. Instances are thread-safe in the way the block itself is: nothing is locked, and concurrent writers
 * of one item, in this process or another, race as they do in Python.
 * <p>
 * {@link #close()} ends this process's use of the block and never unlinks it; {@code shm().unlink()} does. After
 * close, every access to the items throws {@link IllegalStateException}.
 */
public final class ShareableList extends AbstractList<Object> implements RandomAccess, AutoCloseable {

	private static final byte[] ZEROS = new byte[4096];

	private final SharedMemory shm;

	private final ByteBuffer buffer;

	private final int length;

	/** Where each item's slot starts in the block, and where the last one ends: fixed when the list was created. */
	private final int[] slots;

	private final int formatsOffset;

	private final int codesOffset;

	private ShareableList(SharedMemory shm, ByteBuffer buffer, int length, int[] slots) {
		this.shm = shm;
		this.buffer = buffer;
		this.length = length;
		this.slots = slots;
		this.formatsOffset = slots[length];
		this.codesOffset = this.formatsOffset + WORD * length;
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
	public static ShareableList create(String name, List<?> items) {
		return create(SharedMemoryDirectory.defaultDirectory(), name, items);
	}

	/**
	 * Creates a list in a block of exactly the size CPython would give it (the same items give the same format). Every
	 * item is checked before the block is created: a list that cannot be created leaves no block behind.
	 * @param directory where to create the block
	 * @param name the block's name, or {@code null} for a generated one ({@code psm_} and 8 hex characters)
	 * @param items the items; another {@code ShareableList} copies it
	 * @return the new list
	 * @throws IllegalArgumentException if an item has a type a list cannot hold (naming the item), if a str or bytes
	 * item is longer than 9999991 bytes (its slot size must fit the 8-byte
	 * format), if the block would be larger than one {@link ByteBuffer} can address, or if the name is invalid
	 * @throws SharedMemoryExistsException if the name is taken
	 * @throws SharedMemoryException if the block cannot be created
	 */
	public static ShareableList create(SharedMemoryDirectory directory, String name, List<?> items) {
		Objects.requireNonNull(directory, "directory must not be null");
		Objects.requireNonNull(items, "items must not be null");
		Object[] values = items.toArray();
		Value[] encoded = new Value[values.length];
		int[] slots = new int[values.length + 1];
		long dataLength = 0;
		for (int i = 0; i < values.length; i++) {
			encoded[i] = Value.of(i, values[i]);
			dataLength += checkCreatable(i, encoded[i]);
		}
		long size = ShareableListLayout.blockSize(values.length, dataLength);
		if (size > SharedMemory.MAX_BUFFER_BYTES) {
			throw new IllegalArgumentException("A ShareableList of " + values.length + " items needs a block of "
					+ size + " bytes, more than the " + SharedMemory.MAX_BUFFER_BYTES + " one ByteBuffer can address");
		}
		long slot = ShareableListLayout.dataStart(values.length);
		for (int i = 0; i < values.length; i++) {
			slots[i] = (int) slot;
			slot += encoded[i].slotSize();
		}
		slots[values.length] = (int) slot;
		SharedMemory shm = (name != null) ? directory.create(name, size) : directory.create(size);
		try {
			ShareableList list = new ShareableList(shm, shm.buf(), values.length, slots);
			list.writeHeader();
			for (int i = 0; i < values.length; i++) {
				list.write(i, encoded[i]);
			}
			return list;
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

	private static long checkCreatable(int index, Value value) {
		if (value.bytes() != null && value.bytes().length > MAX_VALUE_LENGTH) {
			throw new IllegalArgumentException("Item " + index + " is " + value.kind().description + " of "
					+ value.bytes().length + " bytes, which needs a slot of " + value.slotSize() + " bytes: more than the "
					+ MAX_SLOT_SIZE + " a ShareableList's 8-byte format can describe (at most " + MAX_VALUE_LENGTH
					+ " bytes per item)");
		}
		return value.slotSize();
	}

	/**
	 * Attaches to the list in an existing block of the default directory.
	 * @param name the block's name, with or without a leading slash
	 * @return the list
	 * @throws SharedMemoryNotFoundException if there is no such block
	 * @throws InvalidShareableListException if the block holds no valid list; the block is left as it is
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
	 * Reads the list in an attached block, after checking that its header describes a valid list: a length that the
	 * block can hold, offsets that start at 0, grow by at least 8 and add up to the block's exact size, and for every
	 * item a format and back-transform code that CPython writes. Nothing is allocated before the length is checked
	 * against the block's size. On failure the block is left open and as it is.
	 * @param shm the block; closing the list closes it
	 * @return the list
	 * @throws InvalidShareableListException if the block holds no valid list, naming the block and the fault
	 * @throws IllegalStateException if the block is closed
	 */
	public static ShareableList of(SharedMemory shm) {
		Objects.requireNonNull(shm, "shm must not be null");
		String name = shm.name();
		long size = shm.size();
		if (size > SharedMemory.MAX_BUFFER_BYTES) {
			throw invalid(name, "its " + size + " bytes are more than one ByteBuffer can address ("
					+ SharedMemory.MAX_BUFFER_BYTES + "), and a ShareableList must fit in one");
		}
		if (size < EMPTY_LIST_SIZE) {
			throw invalid(name, "it has " + size + " bytes, fewer than the " + EMPTY_LIST_SIZE + " of an empty list");
		}
		ByteBuffer buffer = shm.buf();
		long length = buffer.getLong(0);
		long maxLength = (size - EMPTY_LIST_SIZE) / BYTES_PER_ITEM;
		if (length < 0 || length > maxLength) {
			throw invalid(name, "its length field holds " + length + ", but " + size + " bytes hold at most "
					+ maxLength + " items");
		}
		int items = (int) length;
		long dataStart = ShareableListLayout.dataStart(items);
		long dataLimit = size - ShareableListLayout.blockSize(items, 0);
		int[] slots = new int[items + 1];
		long previous = 0;
		for (int i = 0; i <= items; i++) {
			long offset = buffer.getLong(ShareableListLayout.offsetEntry(i));
			if (i == 0 && offset != 0) {
				throw invalid(name, "the offset of item 0 is " + offset + ", not 0");
			}
			if (i > 0 && (offset < previous || offset - previous < MIN_SLOT_SIZE)) {
				throw invalid(name, "item " + (i - 1) + " has a slot from offset " + previous + " to " + offset
						+ ", less than the " + MIN_SLOT_SIZE + " bytes every item takes");
			}
			if (offset > dataLimit) {
				throw invalid(name, "the slot of item " + (i - 1) + " ends at offset " + offset + ", but the "
						+ items + " items of a " + size + "-byte block leave " + dataLimit + " bytes of data");
			}
			slots[i] = (int) (dataStart + offset);
			previous = offset;
		}
		if (previous != dataLimit) {
			throw invalid(name, "its header describes a list of " + ShareableListLayout.blockSize(items, previous)
					+ " bytes, but the block has " + size);
		}
		ShareableList list = new ShareableList(shm, buffer, items, slots);
		for (int i = 0; i < items; i++) {
			// Checks the item's format and code: a valid list holds none that CPython does not write.
			list.kind(buffer, i);
		}
		return list;
	}

	private static InvalidShareableListException invalid(String name, String reason) {
		return new InvalidShareableListException(name,
				"Shared memory block '" + name + "' holds no valid ShareableList: " + reason);
	}

	/**
	 * Returns the block that holds the list.
	 * @return the block
	 */
	public SharedMemory shm() {
		return this.shm;
	}

	/**
	 * Returns the list's struct format, as Python's {@code format} property: every item's format in order, such as
	 * {@code 8s8sdqxxxxxx?xxxxxxxx?q} for {@code ['howdy', b'HoWdY', -273.154, 100, None, True, 42]}.
	 * @return the format, read from the block now
	 * @throws IllegalStateException if the list is closed
	 * @throws InvalidShareableListException if an item's format or code is invalid
	 */
	public String format() {
		ByteBuffer buffer = buffer();
		StringBuilder format = new StringBuilder(this.length * 2);
		for (int i = 0; i < this.length; i++) {
			long itemFormat = buffer.getLong(formatAt(i));
			kind(buffer, i, itemFormat);
			format.append(ShareableListLayout.formatText(itemFormat));
		}
		return format.toString();
	}

	/**
	 * Returns the number of items, fixed when the list was created; known even after {@link #close()}.
	 * @return the length
	 */
	@Override
	public int size() {
		return this.length;
	}

	/**
	 * Returns an item: a {@link Long}, {@link Double}, {@link Boolean}, {@link String}, {@code byte[]} (a new
	 * array) or {@code null}.
	 * @param index the item's index
	 * @return the item
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 * @throws InvalidShareableListException if the item's format or code is invalid
	 */
	@Override
	public Object get(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(formatAt(index));
		int slot = this.slots[index];
		return switch (kind(buffer, index, format)) {
			case INT -> Long.valueOf(buffer.getLong(slot));
			case FLOAT -> Double.valueOf(buffer.getDouble(slot));
			case BOOL -> Boolean.valueOf(readBool(buffer, slot));
			case NONE -> null;
			case STR -> readStr(buffer, slot, ShareableListLayout.stringFormatSize(format));
			case BYTES -> readBytes(buffer, slot, ShareableListLayout.stringFormatSize(format));
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
		expect(index, kind(buffer, index), Kind.INT);
		return buffer.getLong(this.slots[index]);
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
		expect(index, kind(buffer, index), Kind.FLOAT);
		return buffer.getDouble(this.slots[index]);
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
		expect(index, kind(buffer, index), Kind.BOOL);
		return readBool(buffer, this.slots[index]);
	}

	/**
	 * Returns a str item, without its trailing NULs.
	 * @param index the item's index
	 * @return the text, or {@code null} if the item is None
	 * @throws ClassCastException if the item is neither a str nor None, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public String getString(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(formatAt(index));
		Kind kind = kind(buffer, index, format);
		if (kind == Kind.NONE) {
			return null;
		}
		expect(index, kind, Kind.STR);
		return readStr(buffer, this.slots[index], ShareableListLayout.stringFormatSize(format));
	}

	/**
	 * Returns a bytes item, without its trailing NULs.
	 * @param index the item's index
	 * @return a new array, or {@code null} if the item is None
	 * @throws ClassCastException if the item is neither bytes nor None, naming its type
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public byte[] getBytes(int index) {
		ByteBuffer buffer = buffer(index);
		long format = buffer.getLong(formatAt(index));
		Kind kind = kind(buffer, index, format);
		if (kind == Kind.NONE) {
			return null;
		}
		expect(index, kind, Kind.BYTES);
		return readBytes(buffer, this.slots[index], ShareableListLayout.stringFormatSize(format));
	}

	/**
	 * Tells whether an item is None.
	 * @param index the item's index
	 * @return {@code true} if it is
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public boolean isNull(int index) {
		return kind(buffer(index), index) == Kind.NONE;
	}

	/**
	 * Replaces an item, changing its type if need be, as Python's {@code sl[index] = value} does: an int, float, bool
	 * or None fits any slot; a str or bytes value fits a slot at least as long as its bytes. On failure nothing is
	 * written.
	 * @param index the item's index
	 * @param value the new value: null, a Boolean, a Long, Integer, Short or Byte, a Double or Float, a String or a
	 * byte[]
	 * @return the item it replaced
	 * @throws IllegalArgumentException if the value has a type a list cannot hold, or exceeds the available storage of
	 * the item's slot (naming the value's size and the slot's)
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public Object set(int index, Object value) {
		Value encoded = encodeFor(index, value);
		Object previous = get(index);
		write(index, encoded);
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
		writeWord(buffer(index), index, FORMAT_INT, CODE_VALUE, value);
	}

	/**
	 * Makes an item a float.
	 * @param index the item's index
	 * @param value the value
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setDouble(int index, double value) {
		writeWord(buffer(index), index, FORMAT_FLOAT, CODE_VALUE, Double.doubleToRawLongBits(value));
	}

	/**
	 * Makes an item a bool.
	 * @param index the item's index
	 * @param value the value
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setBoolean(int index, boolean value) {
		writeWord(buffer(index), index, FORMAT_BOOL, CODE_VALUE, value ? BOOL_TRUE : 0);
	}

	/**
	 * Makes an item None.
	 * @param index the item's index
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setNull(int index) {
		writeWord(buffer(index), index, FORMAT_NONE, CODE_NONE, 0);
	}

	/**
	 * Makes an item a str, stored as UTF-8.
	 * @param index the item's index
	 * @param value the text, or {@code null} for None
	 * @throws IllegalArgumentException if the text exceeds the available storage of the item's slot, or holds an
	 * unpaired surrogate
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setString(int index, String value) {
		write(index, encodeFor(index, value));
	}

	/**
	 * Makes an item bytes.
	 * @param index the item's index
	 * @param value the bytes, or {@code null} for None
	 * @throws IllegalArgumentException if the bytes exceed the available storage of the item's slot
	 * @throws IndexOutOfBoundsException if there is no such item
	 * @throws IllegalStateException if the list is closed
	 */
	public void setBytes(int index, byte[] value) {
		write(index, encodeFor(index, value));
	}

	/**
	 * Counts the items equal to a value in Python's terms, as Python's {@code count} does: numbers by value across
	 * types ({@code 1 == 1.0 == true}), byte arrays and strings by content.
	 * @param value the value to look for
	 * @return how many items equal it
	 * @throws IllegalStateException if the list is closed
	 */
	public int count(Object value) {
		int count = 0;
		for (int i = 0; i < this.length; i++) {
			if (PythonEquality.equal(value, get(i))) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Returns the index of the first item equal to a value in Python's terms, as Python's {@code index} does (but
	 * -1 where Python raises): numbers by value across types ({@code 1 == 1.0 == true}), byte arrays and strings by
	 * content. Unlike {@code List.indexOf}, {@code indexOf(1)} finds {@code 1L}, {@code 1.0} and {@code true}.
	 * @param value the value to look for
	 * @return the index, or -1 if no item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public int indexOf(Object value) {
		for (int i = 0; i < this.length; i++) {
			if (PythonEquality.equal(value, get(i))) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Returns the index of the last item equal to a value in Python's terms, as {@link #indexOf(Object)} compares.
	 * @param value the value to look for
	 * @return the index, or -1 if no item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public int lastIndexOf(Object value) {
		for (int i = this.length - 1; i >= 0; i--) {
			if (PythonEquality.equal(value, get(i))) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * Tells whether an item equals a value in Python's terms, as {@link #indexOf(Object)} compares.
	 * @param value the value to look for
	 * @return {@code true} if an item equals it
	 * @throws IllegalStateException if the list is closed
	 */
	@Override
	public boolean contains(Object value) {
		return indexOf(value) >= 0;
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public void add(int index, Object element) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public Object remove(int index) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean remove(Object value) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean addAll(Collection<?> values) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean addAll(int index, Collection<?> values) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean removeAll(Collection<?> values) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean retainAll(Collection<?> values) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public boolean removeIf(Predicate<? super Object> filter) {
		throw fixedLength();
	}

	/**
	 * Always throws: a list's length is fixed.
	 * @throws UnsupportedOperationException always
	 */
	@Override
	public void clear() {
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
	 * Compares with another list item by item, as {@link List#equals(Object)} does but with byte arrays compared by
	 * content.
	 * @param other the object to compare with
	 * @return {@code true} if it is a list of the same length and equal items
	 */
	@Override
	public boolean equals(Object other) {
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
	 * Returns the hash code {@link List#hashCode()} defines, with byte arrays hashed by content.
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
	 * {@code ShareableList(['howdy', b'HoWdY', -273.154, 100, None, True, 42], name='psm_1a2b3c4d')}; a closed list
	 * shows {@code <closed>} for its items.
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

	private int formatAt(int index) {
		return this.formatsOffset + WORD * index;
	}

	private int slotSize(int index) {
		return this.slots[index + 1] - this.slots[index];
	}

	private Kind kind(ByteBuffer buffer, int index) {
		return kind(buffer, index, buffer.getLong(formatAt(index)));
	}

	/**
	 * Tells an item's type from its format, read by the caller, and its code; a combination CPython never writes, or
	 * a str or bytes format larger than the slot, is an error, so that no read strays outside the slot.
	 */
	private Kind kind(ByteBuffer buffer, int index, long format) {
		byte code = buffer.get(this.codesOffset + index);
		if (code == CODE_VALUE) {
			if (format == FORMAT_INT) {
				return Kind.INT;
			}
			if (format == FORMAT_FLOAT) {
				return Kind.FLOAT;
			}
			if (format == FORMAT_BOOL) {
				return Kind.BOOL;
			}
		}
		else if (code == CODE_NONE) {
			if (format == FORMAT_NONE) {
				return Kind.NONE;
			}
		}
		else if (code == CODE_STR || code == CODE_BYTES) {
			int size = ShareableListLayout.stringFormatSize(format);
			if (size >= 0 && size <= slotSize(index)) {
				return (code == CODE_STR) ? Kind.STR : Kind.BYTES;
			}
		}
		throw new InvalidShareableListException(this.shm.name(), "ShareableList '" + this.shm.name() + "' is invalid: "
				+ "item " + index + " has format " + ShareableListLayout.describeFormat(format)
				+ " and back-transform code " + code + ", which CPython never writes in a slot of " + slotSize(index)
				+ " bytes (valid are q, d or xxxxxxx? with code 0, xxxxxx?x with code 3, and <S>s with code 1 or 2"
				+ " where S is at most the slot size; a writer caught between an item's format and its code, which"
				+ " CPython and this class write one after the other, can show such a pair for an instant)");
	}

	private void expect(int index, Kind actual, Kind expected) {
		if (actual != expected) {
			throw new ClassCastException("Item " + index + " of ShareableList '" + this.shm.name() + "' is "
					+ actual.description + ", not " + expected.description);
		}
	}

	// Checks everything before anything is written: the index, the state, the type and the size.
	private Value encodeFor(int index, Object value) {
		buffer(index);
		Value encoded = Value.of(index, value);
		if (encoded.bytes() != null && encoded.bytes().length > slotSize(index)) {
			throw new IllegalArgumentException("Cannot set item " + index + " of ShareableList '" + this.shm.name()
					+ "' to " + encoded.kind().description + " of " + encoded.bytes().length + " bytes: it exceeds the "
					+ "available storage of the item's " + slotSize(index) + "-byte slot");
		}
		return encoded;
	}

	private void writeHeader() {
		this.buffer.putLong(0, this.length);
		int dataStart = this.slots[0];
		for (int i = 0; i <= this.length; i++) {
			this.buffer.putLong(ShareableListLayout.offsetEntry(i), this.slots[i] - dataStart);
		}
	}

	private void write(int index, Value value) {
		switch (value.kind()) {
			case INT -> writeWord(this.buffer, index, FORMAT_INT, CODE_VALUE, value.bits());
			case FLOAT -> writeWord(this.buffer, index, FORMAT_FLOAT, CODE_VALUE, value.bits());
			case BOOL -> writeWord(this.buffer, index, FORMAT_BOOL, CODE_VALUE, value.bits());
			case NONE -> writeWord(this.buffer, index, FORMAT_NONE, CODE_NONE, 0);
			case STR -> writeSized(index, CODE_STR, value.bytes());
			case BYTES -> writeSized(index, CODE_BYTES, value.bytes());
		}
	}

	// Python's order: the format, then the code, then the value.
	private void writeWord(ByteBuffer buffer, int index, long format, byte code, long bits) {
		buffer.putLong(formatAt(index), format);
		buffer.put(this.codesOffset + index, code);
		buffer.putLong(this.slots[index], bits);
	}

	// A str or bytes value takes the whole slot, NUL-padded, as struct.pack_into("<slot>s") writes it. (CPython keeps
	// a str format already there, which in any list CPython or this class wrote is this same "<slot>s".)
	private void writeSized(int index, byte code, byte[] bytes) {
		int slot = this.slots[index];
		int size = slotSize(index);
		this.buffer.putLong(formatAt(index), ShareableListLayout.stringFormat(size));
		this.buffer.put(this.codesOffset + index, code);
		this.buffer.put(slot, bytes);
		for (int at = slot + bytes.length, end = slot + size; at < end; at += ZEROS.length) {
			this.buffer.put(at, ZEROS, 0, Math.min(ZEROS.length, end - at));
		}
	}

	private static boolean readBool(ByteBuffer buffer, int slot) {
		return buffer.get(slot + WORD - 1) != 0;
	}

	private static String readStr(ByteBuffer buffer, int slot, int size) {
		byte[] utf8 = readBytes(buffer, slot, size);
		return new String(utf8, 0, ShareableListLayout.completeUtf8Length(utf8, utf8.length),
				StandardCharsets.UTF_8);
	}

	private static byte[] readBytes(ByteBuffer buffer, int slot, int size) {
		int end = size;
		while (end >= WORD && buffer.getLong(slot + end - WORD) == 0) {
			end -= WORD;
		}
		while (end > 0 && buffer.get(slot + end - 1) == 0) {
			end--;
		}
		byte[] bytes = new byte[end];
		buffer.get(slot, bytes);
		return bytes;
	}

	/**
	 * The types of item, as Python tells them apart.
	 */
	private enum Kind {

		INT("an int (Long)"), FLOAT("a float (Double)"), BOOL("a bool (Boolean)"), NONE("None (null)"),
		STR("a str (String)"), BYTES("a bytes (byte[])");

		private final String description;

		Kind(String description) {
			this.description = description;
		}

	}

	/**
	 * A value checked and encoded for its slot: the 8 bytes of a number, bool or None, or the bytes of a str or bytes
	 * value.
	 */
	private record Value(Kind kind, long bits, byte[] bytes) {

		static Value of(int index, Object value) {
			if (value == null) {
				return new Value(Kind.NONE, 0, null);
			}
			if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
				return new Value(Kind.INT, ((Number) value).longValue(), null);
			}
			if (value instanceof Double || value instanceof Float) {
				return new Value(Kind.FLOAT, Double.doubleToRawLongBits(((Number) value).doubleValue()), null);
			}
			if (value instanceof Boolean bool) {
				return new Value(Kind.BOOL, bool ? BOOL_TRUE : 0, null);
			}
			if (value instanceof String text) {
				return new Value(Kind.STR, 0, encode(index, text));
			}
			if (value instanceof byte[] bytes) {
				return new Value(Kind.BYTES, 0, bytes);
			}
			throw new IllegalArgumentException("Item " + index + " cannot be stored in a ShareableList: "
					+ value.getClass().getName() + " is none of null, Boolean, Long, Integer, Short, Byte, Double,"
					+ " Float, String and byte[]");
		}

		private static byte[] encode(int index, String text) {
			for (int i = 0; i < text.length(); i++) {
				char ch = text.charAt(i);
				if (Character.isHighSurrogate(ch) && i + 1 < text.length()
						&& Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
				}
				else if (Character.isSurrogate(ch)) {
					throw new IllegalArgumentException("Item " + index + " is a String with an unpaired surrogate"
							+ " at char " + i + ", which has no UTF-8 encoding");
				}
			}
			return text.getBytes(StandardCharsets.UTF_8);
		}

		long slotSize() {
			return (this.bytes != null) ? ShareableListLayout.slotSize(this.bytes.length) : WORD;
		}

	}

}
