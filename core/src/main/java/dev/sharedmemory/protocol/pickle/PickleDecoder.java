package dev.sharedmemory.protocol.pickle;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Reads the pickles of the manager protocol with a whitelist of opcodes (see
 * {@code pickletools.py}): protocols 2 to 5, None, bools, ints (to {@link Long}, or
 * {@link BigInteger} beyond), floats ({@link Double}), str, bytes and bytearray
 * ({@code byte[]}), tuples ({@link PickleTuple}), lists ({@link List}) and dicts
 * ({@link Map}, insertion ordered), marks, memo and frames. Every opcode that names a
 * global or builds an object is refused with a {@link ForbiddenOpcodeException}; any
 * other opcode outside the subset, or a malformed pickle, with a {@link PickleException}.
 * <p>
 * Memory stays proportional to the message: every length is checked against the bytes
 * left before anything is allocated, and every opcode adds at most one item. A memoized
 * container may not be fetched again (the manager's messages never share one), so the
 * result is always a tree, never cyclic, and nested at most {@code maxDepth} deep.
 * Instances are immutable and thread-safe.
 */
public final class PickleDecoder {

	/** How deep containers may nest by default: a manager request nests three deep. */
	public static final int DEFAULT_MAX_DEPTH = 100;

	private static final int LOWEST_PROTOCOL = 2;

	private static final int HIGHEST_PROTOCOL = 5;

	private final int maxDepth;

	/**
	 * Creates a decoder with {@link #DEFAULT_MAX_DEPTH}.
	 */
	public PickleDecoder() {
		this(DEFAULT_MAX_DEPTH);
	}

	/**
	 * Creates a decoder.
	 * @param maxDepth how deep containers may nest, at least 1
	 */
	public PickleDecoder(int maxDepth) {
		if (maxDepth < 1) {
			throw new IllegalArgumentException("maxDepth must be at least 1, not " + maxDepth);
		}
		this.maxDepth = maxDepth;
	}

	/**
	 * Decodes a whole pickle: it must start with {@code PROTO} 2 to 5 and end with its
	 * {@code STOP}.
	 * @param pickle the bytes
	 * @return the value
	 * @throws ForbiddenOpcodeException if it names a global or builds an object
	 * @throws PickleException if it is malformed or uses another opcode outside the
	 * subset
	 */
	public @Nullable Object decode(byte[] pickle) throws PickleException {
		return new Run(pickle, this.maxDepth).decode();
	}

	/**
	 * A value on the stack: lists and dicts stay mutable while there, and how deep they
	 * nest is kept up to date.
	 */
	private static final class Item {

		final @Nullable Object value;

		int depth;

		Item(@Nullable Object value, int depth) {
			this.value = value;
			this.depth = depth;
		}

	}

	/**
	 * A memoized container: it may be stored, as CPython always does, but never fetched.
	 */
	private static final Object CONTAINER = new Object();

	/**
	 * One decoding: the position, stack, marks and memo of one pickle.
	 */
	private static final class Run {

		private final byte[] bytes;

		private final int maxDepth;

		private final List<Item> stack = new ArrayList<>();

		private final List<Integer> marks = new ArrayList<>();

		private final Map<Long, @Nullable Object> memo = new HashMap<>();

		private int position;

		private int opcodeOffset;

		Run(byte[] bytes, int maxDepth) {
			this.bytes = bytes;
			this.maxDepth = maxDepth;
		}

		@Nullable Object decode() throws PickleException {
			if (this.bytes.length == 0 || (this.bytes[0] & 0xff) != 0x80) {
				throw new PickleException("Not a pickle of protocol 2 or later: it does not start with PROTO");
			}
			while (true) {
				if (this.position >= this.bytes.length) {
					throw new PickleException("Pickle ends without STOP after " + this.bytes.length + " bytes");
				}
				this.opcodeOffset = this.position;
				int opcode = this.bytes[this.position++] & 0xff;
				if (opcode == '.') {
					return stop();
				}
				execute(opcode);
			}
		}

		private void execute(int opcode) throws PickleException {
			switch (opcode) {
				case 0x80 -> proto();
				case 0x95 -> frame();
				case '(' -> mark();
				case '0' -> pop("POP");
				case '1' -> popMark();
				case 'N' -> push(null);
				case 0x88 -> push(Boolean.TRUE);
				case 0x89 -> push(Boolean.FALSE);
				case 'K' -> push(readUnsigned("BININT1", 1));
				case 'M' -> push(readUnsigned("BININT2", 2));
				case 'J' -> push((long) (int) readUnsigned("BININT", 4));
				case 0x8a -> push(readLong("LONG1", readLength("LONG1", 1)));
				case 0x8b -> push(readLong("LONG4", readSignedLength("LONG4")));
				case 'G' -> push(Double.longBitsToDouble(readBigEndianLong("BINFLOAT")));
				case 0x8c -> push(readString("SHORT_BINUNICODE", readLength("SHORT_BINUNICODE", 1)));
				case 'X' -> push(readString("BINUNICODE", readLength("BINUNICODE", 4)));
				case 0x8d -> push(readString("BINUNICODE8", readLength("BINUNICODE8", 8)));
				case 'C' -> push(readBytes("SHORT_BINBYTES", readLength("SHORT_BINBYTES", 1)));
				case 'B' -> push(readBytes("BINBYTES", readLength("BINBYTES", 4)));
				case 0x8e -> push(readBytes("BINBYTES8", readLength("BINBYTES8", 8)));
				case 0x96 -> push(readBytes("BYTEARRAY8", readLength("BYTEARRAY8", 8)));
				case ')' -> push(new PickleTuple(List.of()));
				case 0x85 -> tuple("TUPLE1", 1);
				case 0x86 -> tuple("TUPLE2", 2);
				case 0x87 -> tuple("TUPLE3", 3);
				case 't' -> tuple("TUPLE", -1);
				case ']' -> push(new ArrayList<>());
				case 'l' -> list();
				case 'a' -> append();
				case 'e' -> appends();
				case '}' -> push(new LinkedHashMap<>());
				case 'd' -> dict();
				case 's' -> setItem();
				case 'u' -> setItems();
				case 'q' -> put("BINPUT", readUnsigned("BINPUT", 1));
				case 'r' -> put("LONG_BINPUT", readUnsigned("LONG_BINPUT", 4));
				case 0x94 -> put("MEMOIZE", this.memo.size());
				case 'h' -> get("BINGET", readUnsigned("BINGET", 1));
				case 'j' -> get("LONG_BINGET", readUnsigned("LONG_BINGET", 4));
				case 'c' -> throw forbidden("GLOBAL");
				case 0x93 -> throw forbidden("STACK_GLOBAL");
				case 'R' -> throw forbidden("REDUCE");
				case 'b' -> throw forbidden("BUILD");
				case 'i' -> throw forbidden("INST");
				case 'o' -> throw forbidden("OBJ");
				case 0x81 -> throw forbidden("NEWOBJ");
				case 0x92 -> throw forbidden("NEWOBJ_EX");
				case 'P' -> throw forbidden("PERSID");
				case 'Q' -> throw forbidden("BINPERSID");
				case 0x82 -> throw forbidden("EXT1");
				case 0x83 -> throw forbidden("EXT2");
				case 0x84 -> throw forbidden("EXT4");
				case 0x97 -> throw forbidden("NEXT_BUFFER");
				case 0x98 -> throw unsupported("READONLY_BUFFER", "out-of-band buffers are not read");
				case 0x8f, 0x90, 0x91 -> throw unsupported(setName(opcode), "sets are not part of the protocol");
				case '2' -> throw unsupported("DUP", "CPython's pickler never writes it");
				case 'I', 'L', 'F', 'S', 'V', 'T', 'U', 'g', 'p' ->
					throw unsupported(textName(opcode), "the opcodes of protocols 0 and 1 are not read");
				default -> throw new PickleException(
						"Unknown pickle opcode 0x" + Integer.toHexString(opcode) + " at offset " + this.opcodeOffset);
			}
		}

		private void proto() throws PickleException {
			long protocol = readUnsigned("PROTO", 1);
			if (protocol < LOWEST_PROTOCOL || protocol > HIGHEST_PROTOCOL) {
				throw new PickleException("Unsupported pickle protocol " + protocol + " at offset " + this.opcodeOffset
						+ ": protocols " + LOWEST_PROTOCOL + " to " + HIGHEST_PROTOCOL + " are read");
			}
		}

		private void frame() throws PickleException {
			int length = readLength("FRAME", 8);
			if (length > this.bytes.length - this.position) {
				throw new PickleException("FRAME at offset " + this.opcodeOffset + " declares " + length
						+ " bytes, more than the " + (this.bytes.length - this.position) + " left");
			}
		}

		private void mark() {
			this.marks.add(this.stack.size());
		}

		private void popMark() throws PickleException {
			int mark = popMarkPosition("POP_MARK");
			truncate(mark);
		}

		private @Nullable Object stop() throws PickleException {
			if (!this.marks.isEmpty() || this.stack.size() != 1) {
				throw new PickleException("STOP at offset " + this.opcodeOffset + " leaves " + this.stack.size()
						+ " items and " + this.marks.size() + " marks; a pickle leaves one item and no mark");
			}
			if (this.position != this.bytes.length) {
				throw new PickleException("Pickle has " + (this.bytes.length - this.position)
						+ " bytes after its STOP at offset " + this.opcodeOffset);
			}
			return freeze(this.stack.get(0).value);
		}

		private void push(@Nullable Object value) {
			boolean container = value instanceof PickleTuple || value instanceof List<?> || value instanceof Map<?, ?>;
			this.stack.add(new Item(value, container ? 1 : 0));
		}

		private Item pop(String name) throws PickleException {
			int floor = this.marks.isEmpty() ? 0 : this.marks.get(this.marks.size() - 1);
			if (this.stack.size() <= floor) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " finds the stack empty");
			}
			return this.stack.remove(this.stack.size() - 1);
		}

		private Item top(String name) throws PickleException {
			int floor = this.marks.isEmpty() ? 0 : this.marks.get(this.marks.size() - 1);
			if (this.stack.size() <= floor) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " finds the stack empty");
			}
			return this.stack.get(this.stack.size() - 1);
		}

		private int popMarkPosition(String name) throws PickleException {
			if (this.marks.isEmpty()) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " finds no MARK");
			}
			return this.marks.remove(this.marks.size() - 1);
		}

		private List<Item> popToMark(String name) throws PickleException {
			int mark = popMarkPosition(name);
			List<Item> items = new ArrayList<>(this.stack.subList(mark, this.stack.size()));
			truncate(mark);
			return items;
		}

		private void truncate(int size) {
			this.stack.subList(size, this.stack.size()).clear();
		}

		private void tuple(String name, int count) throws PickleException {
			List<Item> items;
			if (count < 0) {
				items = popToMark(name);
			}
			else {
				items = new ArrayList<>(count);
				for (int i = 0; i < count; i++) {
					items.add(0, pop(name));
				}
			}
			List<@Nullable Object> values = new ArrayList<>(items.size());
			int depth = 0;
			for (Item item : items) {
				values.add(freeze(item.value));
				depth = Math.max(depth, item.depth);
			}
			this.stack.add(new Item(new PickleTuple(values), checkDepth(name, depth + 1)));
		}

		private void list() throws PickleException {
			List<Item> items = popToMark("LIST");
			Item list = new Item(new ArrayList<>(), 0);
			this.stack.add(list);
			addAll("LIST", list, items);
		}

		private void append() throws PickleException {
			Item value = pop("APPEND");
			addAll("APPEND", top("APPEND"), List.of(value));
		}

		private void appends() throws PickleException {
			List<Item> items = popToMark("APPENDS");
			addAll("APPENDS", top("APPENDS"), items);
		}

		@SuppressWarnings("unchecked")
		private void addAll(String name, Item target, List<Item> items) throws PickleException {
			if (!(target.value instanceof ArrayList<?>)) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " appends to "
						+ describe(target.value) + ", not a list");
			}
			List<@Nullable Object> list = (List<@Nullable Object>) target.value;
			for (Item item : items) {
				list.add(freeze(item.value));
				target.depth = Math.max(target.depth, checkDepth(name, item.depth + 1));
			}
			target.depth = Math.max(target.depth, 1);
		}

		private void dict() throws PickleException {
			List<Item> items = popToMark("DICT");
			Item dict = new Item(new LinkedHashMap<>(), 0);
			this.stack.add(dict);
			putAll("DICT", dict, items);
		}

		private void setItem() throws PickleException {
			Item value = pop("SETITEM");
			Item key = pop("SETITEM");
			putAll("SETITEM", top("SETITEM"), List.of(key, value));
		}

		private void setItems() throws PickleException {
			List<Item> items = popToMark("SETITEMS");
			putAll("SETITEMS", top("SETITEMS"), items);
		}

		@SuppressWarnings("unchecked")
		private void putAll(String name, Item target, List<Item> items) throws PickleException {
			if (!(target.value instanceof LinkedHashMap<?, ?>)) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " sets an item of "
						+ describe(target.value) + ", not a dict");
			}
			if (items.size() % 2 != 0) {
				throw new PickleException(name + " at offset " + this.opcodeOffset
						+ " has an odd number of items: a key without its value");
			}
			Map<@Nullable Object, @Nullable Object> dict = (Map<@Nullable Object, @Nullable Object>) target.value;
			for (int i = 0; i < items.size(); i += 2) {
				Item key = items.get(i);
				Item value = items.get(i + 1);
				if (!isHashable(key.value)) {
					throw new PickleException(name + " at offset " + this.opcodeOffset + " uses " + describe(key.value)
							+ " as a dict key: unhashable");
				}
				dict.put(freeze(key.value), freeze(value.value));
				target.depth = Math.max(target.depth, checkDepth(name, Math.max(key.depth, value.depth) + 1));
			}
			target.depth = Math.max(target.depth, 1);
		}

		private void put(String name, long index) throws PickleException {
			Item item = top(name);
			boolean container = item.value instanceof PickleTuple || item.value instanceof List<?>
					|| item.value instanceof Map<?, ?>;
			this.memo.put(index, container ? CONTAINER : item.value);
		}

		private void get(String name, long index) throws PickleException {
			if (!this.memo.containsKey(index)) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " fetches memo " + index
						+ ", which was never stored");
			}
			Object value = this.memo.get(index);
			if (value == CONTAINER) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " fetches a container again:"
						+ " shared and recursive references are not read");
			}
			this.stack.add(new Item(value, 0));
		}

		private int checkDepth(String name, int depth) throws PickleException {
			if (depth > this.maxDepth) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " nests containers more than "
						+ this.maxDepth + " deep");
			}
			return depth;
		}

		private long readUnsigned(String name, int size) throws PickleException {
			require(name, size);
			long value = 0;
			for (int i = size - 1; i >= 0; i--) {
				value = (value << 8) | (this.bytes[this.position + i] & 0xff);
			}
			this.position += size;
			return value;
		}

		/**
		 * Reads a length; one beyond an int is longer than any message, and so clamped to
		 * fail {@link #require}.
		 */
		private int readLength(String name, int size) throws PickleException {
			long length = readUnsigned(name, size);
			return (length < 0 || length > Integer.MAX_VALUE) ? Integer.MAX_VALUE : (int) length;
		}

		private int readSignedLength(String name) throws PickleException {
			require(name, 4);
			int value = ByteBuffer.wrap(this.bytes, this.position, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
			this.position += 4;
			if (value < 0) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " has a negative byte count");
			}
			return value;
		}

		private long readBigEndianLong(String name) throws PickleException {
			require(name, 8);
			long value = ByteBuffer.wrap(this.bytes, this.position, 8).getLong();
			this.position += 8;
			return value;
		}

		private Object readLong(String name, int length) throws PickleException {
			require(name, length);
			if (length == 0) {
				return 0L;
			}
			byte[] bigEndian = new byte[length];
			for (int i = 0; i < length; i++) {
				bigEndian[i] = this.bytes[this.position + length - 1 - i];
			}
			this.position += length;
			BigInteger value = new BigInteger(bigEndian);
			return (value.bitLength() < Long.SIZE) ? (Object) value.longValue() : value;
		}

		private String readString(String name, int length) throws PickleException {
			require(name, length);
			try {
				String text = StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(this.bytes, this.position, length))
					.toString();
				this.position += length;
				return text;
			}
			catch (CharacterCodingException ex) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " is not valid UTF-8");
			}
		}

		private byte[] readBytes(String name, int length) throws PickleException {
			require(name, length);
			byte[] value = Arrays.copyOfRange(this.bytes, this.position, this.position + length);
			this.position += length;
			return value;
		}

		private void require(String name, int length) throws PickleException {
			if (length > this.bytes.length - this.position) {
				throw new PickleException(name + " at offset " + this.opcodeOffset + " needs "
						+ ((length == Integer.MAX_VALUE) ? "more than 2 GiB" : length + " bytes") + ", but only "
						+ (this.bytes.length - this.position) + " are left");
			}
		}

		private ForbiddenOpcodeException forbidden(String name) {
			return new ForbiddenOpcodeException("Pickle opcode " + name + " at offset " + this.opcodeOffset
					+ " is refused: it names a global or builds an object, which no manager message needs");
		}

		private PickleException unsupported(String name, String why) {
			return new PickleException(
					"Pickle opcode " + name + " at offset " + this.opcodeOffset + " is not supported: " + why);
		}

		private static String setName(int opcode) {
			return switch (opcode) {
				case 0x8f -> "EMPTY_SET";
				case 0x90 -> "ADDITEMS";
				default -> "FROZENSET";
			};
		}

		private static String textName(int opcode) {
			return switch (opcode) {
				case 'I' -> "INT";
				case 'L' -> "LONG";
				case 'F' -> "FLOAT";
				case 'S' -> "STRING";
				case 'V' -> "UNICODE";
				case 'T' -> "BINSTRING";
				case 'U' -> "SHORT_BINSTRING";
				case 'g' -> "GET";
				default -> "PUT";
			};
		}

		private static boolean isHashable(@Nullable Object value) {
			if (value instanceof List<?> || value instanceof Map<?, ?>) {
				return false;
			}
			if (value instanceof PickleTuple tuple) {
				for (Object item : tuple.items()) {
					if (!isHashable(item)) {
						return false;
					}
				}
			}
			return true;
		}

		/**
		 * Lists and dicts become unmodifiable when they leave the stack: nothing can
		 * change them after.
		 */
		@SuppressWarnings("unchecked")
		private static @Nullable Object freeze(@Nullable Object value) {
			if (value instanceof ArrayList<?> list) {
				return Collections.unmodifiableList(list);
			}
			if (value instanceof LinkedHashMap<?, ?> map) {
				return Collections.unmodifiableMap((Map<Object, Object>) map);
			}
			return value;
		}

		private static String describe(@Nullable Object value) {
			if (value == null) {
				return "None";
			}
			if (value instanceof PickleTuple) {
				return "a tuple";
			}
			if (value instanceof List<?>) {
				return "a list";
			}
			if (value instanceof Map<?, ?>) {
				return "a dict";
			}
			return "a " + value.getClass().getSimpleName();
		}

	}

}
