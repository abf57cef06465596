package dev.sharedmemory.list;

import java.nio.ByteBuffer;

import dev.sharedmemory.InvalidShareableListException;
import dev.sharedmemory.SharedMemory;

import static dev.sharedmemory.list.ShareableListLayout.BYTES_PER_ITEM;
import static dev.sharedmemory.list.ShareableListLayout.EMPTY_LIST_SIZE;
import static dev.sharedmemory.list.ShareableListLayout.LENGTH_OFFSET;
import static dev.sharedmemory.list.ShareableListLayout.MAX_SLOT_SIZE;
import static dev.sharedmemory.list.ShareableListLayout.MAX_VALUE_LENGTH;
import static dev.sharedmemory.list.ShareableListLayout.MIN_SLOT_SIZE;

/**
 * The header of one list: its length and where each item's slot, format and code lie,
 * fixed when the list was created. Made either from the items of a new list, sized as
 * CPython sizes them, or read from a block and checked field by field before anything is
 * allocated by it. Immutable.
 */
public final class ShareableListHeader {

	private final int length;

	/** Where each item's slot starts in the block, and where the last one ends. */
	private final int[] slots;

	private ShareableListHeader(int length, int[] slots) {
		this.length = length;
		this.slots = slots;
	}

	/**
	 * Sizes the header of a new list, as CPython would for the same items.
	 * @param encodedLengths what {@link ItemCodec#encodedLength(int, Object)} returned
	 * for each item
	 * @return the header
	 * @throws IllegalArgumentException if an item is too long for any slot, or the block
	 * would be larger than one {@link ByteBuffer} can address
	 */
	public static ShareableListHeader forItems(int[] encodedLengths) {
		int length = encodedLengths.length;
		long dataLength = 0;
		for (int i = 0; i < length; i++) {
			dataLength += slotSize(i, encodedLengths[i]);
		}
		long size = ShareableListLayout.blockSize(length, dataLength);
		if (size > SharedMemory.MAX_BUFFER_BYTES) {
			throw new IllegalArgumentException("A ShareableList of " + length + " items needs a block of " + size
					+ " bytes, more than the " + SharedMemory.MAX_BUFFER_BYTES + " one ByteBuffer can address");
		}
		int[] slots = new int[length + 1];
		int slot = (int) ShareableListLayout.dataStart(length);
		for (int i = 0; i < length; i++) {
			slots[i] = slot;
			slot += (int) slotSize(i, encodedLengths[i]);
		}
		slots[length] = slot;
		return new ShareableListHeader(length, slots);
	}

	private static long slotSize(int index, int encodedLength) {
		if (encodedLength == ItemCodec.WORD_VALUE) {
			return MIN_SLOT_SIZE;
		}
		if (encodedLength > MAX_VALUE_LENGTH) {
			throw new IllegalArgumentException("Item " + index + " is a str or bytes value of " + encodedLength
					+ " bytes, which needs a slot of " + ShareableListLayout.slotSize(encodedLength)
					+ " bytes: more than the " + MAX_SLOT_SIZE + " a ShareableList's 8-byte format can describe (at"
					+ " most " + MAX_VALUE_LENGTH + " bytes per item)");
		}
		return ShareableListLayout.slotSize(encodedLength);
	}

	/**
	 * Reads and checks the header of the list in a block: a length that the block can
	 * hold, offsets that start at 0, grow by at least 8 and add up to the block's exact
	 * size, and for every item a format and back-transform code that CPython writes.
	 * Nothing is allocated before the length is checked against the block's size.
	 * @param shm the block
	 * @return the header
	 * @throws InvalidShareableListException if the block holds no valid list, naming the
	 * block and the fault
	 * @throws IllegalStateException if the block is closed
	 */
	public static ShareableListHeader read(SharedMemory shm) {
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
		long length = buffer.getLong(LENGTH_OFFSET);
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
				throw invalid(name, "the slot of item " + (i - 1) + " ends at offset " + offset + ", but the " + items
						+ " items of a " + size + "-byte block leave " + dataLimit + " bytes of data");
			}
			slots[i] = (int) (dataStart + offset);
			previous = offset;
		}
		if (previous != dataLimit) {
			throw invalid(name, "its header describes a list of " + ShareableListLayout.blockSize(items, previous)
					+ " bytes, but the block has " + size);
		}
		ShareableListHeader header = new ShareableListHeader(items, slots);
		for (int i = 0; i < items; i++) {
			// A valid list holds no format and code that CPython does not write.
			header.type(name, buffer, i);
		}
		return header;
	}

	private static InvalidShareableListException invalid(String name, String reason) {
		return new InvalidShareableListException(name,
				"Shared memory block '" + name + "' holds no valid ShareableList: " + reason);
	}

	/**
	 * Writes the length and the slots' offsets.
	 * @param buffer the whole block
	 */
	public void write(ByteBuffer buffer) {
		buffer.putLong(LENGTH_OFFSET, this.length);
		int dataStart = this.slots[0];
		for (int i = 0; i <= this.length; i++) {
			buffer.putLong(ShareableListLayout.offsetEntry(i), this.slots[i] - dataStart);
		}
	}

	/**
	 * Returns the size of the block that holds the list.
	 * @return the size in bytes
	 */
	public long blockSize() {
		return ShareableListLayout.blockSize(this.length, this.slots[this.length] - this.slots[0]);
	}

	/**
	 * Returns the number of items.
	 * @return the length
	 */
	public int length() {
		return this.length;
	}

	/**
	 * Returns where an item's slot starts.
	 * @param index the item, already checked
	 * @return the offset from the start of the block
	 */
	public int slot(int index) {
		return this.slots[index];
	}

	/**
	 * Returns the size of an item's slot.
	 * @param index the item, already checked
	 * @return the size in bytes
	 */
	public int slotSize(int index) {
		return this.slots[index + 1] - this.slots[index];
	}

	/**
	 * Returns where an item's format lies.
	 * @param index the item, already checked
	 * @return the offset from the start of the block
	 */
	public int formatOffset(int index) {
		return ShareableListLayout.formatOffset(this.slots[this.length], index);
	}

	/**
	 * Returns where an item's back-transform code lies.
	 * @param index the item, already checked
	 * @return the offset from the start of the block
	 */
	public int codeOffset(int index) {
		return ShareableListLayout.codeOffset(this.slots[this.length], this.length, index);
	}

	/**
	 * Reads an item's type from its format and code.
	 * @param name the block's name, for messages
	 * @param buffer the whole block
	 * @param index the item, already checked
	 * @return the type
	 * @throws InvalidShareableListException if the item holds a format and code CPython
	 * never writes
	 */
	public ItemType type(String name, ByteBuffer buffer, int index) {
		return type(name, buffer, index, buffer.getLong(formatOffset(index)));
	}

	/**
	 * Tells an item's type from its format, read by the caller, and its code.
	 * @param name the block's name, for messages
	 * @param buffer the whole block
	 * @param index the item, already checked
	 * @param format the item's format field
	 * @return the type
	 * @throws InvalidShareableListException if the item holds a format and code CPython
	 * never writes
	 */
	public ItemType type(String name, ByteBuffer buffer, int index, long format) {
		byte code = buffer.get(codeOffset(index));
		ItemType type = ShareableListLayout.typeOf(format, code, slotSize(index));
		if (type == null) {
			throw new InvalidShareableListException(name, "ShareableList '" + name + "' is invalid: item " + index
					+ " has format " + ShareableListLayout.describeFormat(format) + " and back-transform code " + code
					+ ", which CPython never writes in a slot of " + slotSize(index) + " bytes (valid are q, d or"
					+ " xxxxxxx? with code 0, xxxxxx?x with code 3, and <S>s with code 1 or 2 where S is at most the"
					+ " slot size; a writer caught between an item's format and its code, which CPython and this class"
					+ " write one after the other, can show such a pair for an instant)");
		}
		return type;
	}

}
