package dev.sharedmemory;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import dev.sharedmemory.list.ShareableListLayout;
import dev.sharedmemory.mapping.MemoryMapper;
import dev.sharedmemory.mapping.UnmapBacklog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ShareableList}: every case of CPython's {@code _TestSharedMemory} that
 * applies to ShareableList, ported (the {@code test_shared_memory_ShareableList_*}
 * methods), then the Java API around them.
 */
class ShareableListTests {

	private static final byte[] HOWDY = bytes("HoWdY");

	@TempDir(factory = InDevShm.class)
	Path path;

	private SharedMemoryDirectory directory;

	private final List<ShareableList> opened = new ArrayList<>();

	@BeforeEach
	void directory() {
		this.directory = SharedMemoryDirectory.of(this.path);
	}

	@AfterEach
	void closeAndCheckNothingLeft() throws Exception {
		this.opened.forEach(ShareableList::close);
		try (Stream<Path> left = Files.list(this.path)) {
			assertThat(left).as("blocks the test did not unlink").isEmpty();
		}
	}

	// CPython's test_shared_memory_ShareableList_basics, step by step.

	@Test
	void basicsAsInCPython() {
		ShareableList sl = create("howdy", HOWDY, -273.154, 100, null, true, 42);
		try {
			assertThat(sl.toString())
				.isEqualTo("ShareableList(['howdy', b'HoWdY', -273.154, 100, None, True, 42], name='" + sl.shm().name()
						+ "')");
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> sl.get(7));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> sl.set(7, 2));
			String format = sl.format();
			sl.set(0, "howdy");
			assertThat(sl.format()).isEqualTo(format).isEqualTo("8s8sdqxxxxxx?xxxxxxxx?q");
			assertThat(sl.shm().size()).isEqualTo(191);
			assertThat(sl).hasSize(7);
			assertThat(sl.indexOf("100")).isEqualTo(-1);
			assertThat(sl.indexOf(100)).isEqualTo(3);
			assertThat(sl.get(0)).isEqualTo("howdy");
			assertThat(sl.get(5)).isEqualTo(true);
			assertThat(sl).containsExactly("howdy", HOWDY, -273.154, 100L, null, true, 42L);
			sl.set(3, 42);
			assertThat(sl.get(3)).isEqualTo(42L);
			sl.set(4, "some");
			assertThat(sl.get(4)).isEqualTo("some");
			assertThat(sl.format()).isEqualTo("8s8sdq8sxxxxxxx?q");
			assertThatIllegalArgumentException().isThrownBy(() -> sl.set(4, "far too many"))
				.withMessageContaining("exceeds the available storage");
			assertThat(sl.get(4)).isEqualTo("some");
			sl.set(0, "encodés");
			assertThat(sl.get(0)).isEqualTo("encodés");
			assertThat(sl.get(1)).isEqualTo(HOWDY);
			assertThatIllegalArgumentException().isThrownBy(() -> sl.set(0, "encodées"))
				.withMessageContaining("to a str (String) of 9 bytes")
				.withMessageContaining("exceeds the available storage")
				.withMessageContaining("9 bytes")
				.withMessageContaining("8-byte slot")
				.withMessageContaining("item 0");
			assertThat(sl.get(0)).isEqualTo("encodés");
			assertThat(sl.get(1)).isEqualTo(HOWDY);
			assertThatIllegalArgumentException().isThrownBy(() -> sl.set(1, bytes("123456789")))
				.withMessageContaining("to a bytes (byte[]) of 9 bytes")
				.withMessageContaining("exceeds the available storage");
			assertThat(sl.get(1)).isEqualTo(HOWDY);
			assertThat(sl.count(42)).isEqualTo(2);
			assertThat(sl.count(HOWDY.clone())).isEqualTo(1);
			assertThat(sl.count(bytes("adios"))).isZero();
		}
		finally {
			sl.shm().unlink();
		}
	}

	@Test
	void duplicateUnderANewName() {
		ShareableList sl = create("howdy", HOWDY, -273.154, 100, null, true, 42);
		String name = sl.shm().name() + "_duplicate";
		ShareableList copy = open(ShareableList.create(this.directory, name, sl));
		try {
			assertThat(copy.shm().name()).isEqualTo(name).isNotEqualTo(sl.shm().name());
			assertThat(copy).isEqualTo(sl);
			assertThat(copy.format()).isEqualTo(sl.format());
			copy.set(6, 77);
			assertThat(copy.get(6)).isEqualTo(77L);
			assertThat(sl.get(6)).isEqualTo(42L);
		}
		finally {
			copy.shm().unlink();
			sl.shm().unlink();
		}
	}

	@Test
	void secondHandleSeesWrites() {
		ShareableList sl = create("howdy", HOWDY, -273.154, 100, null, true, 42);
		try {
			ShareableList tethered = open(ShareableList.of(this.directory.attach(sl.shm().name())));
			assertThat(tethered.shm().name()).isEqualTo(sl.shm().name());
			tethered.set(6, 880);
			assertThat(sl.get(6)).isEqualTo(880L);
			tethered.close();
			assertThat(sl.get(6)).isEqualTo(880L);
		}
		finally {
			sl.shm().unlink();
		}
	}

	@Test
	void emptyList() {
		ShareableList empty = create();
		try {
			assertThat(empty).isEmpty();
			assertThat(empty.format()).isEmpty();
			assertThat(empty.shm().size()).isEqualTo(16);
			assertThat(empty.count("any")).isZero();
			assertThat(empty.indexOf(null)).isEqualTo(-1);
			assertThat(empty.toString()).isEqualTo("ShareableList([], name='" + empty.shm().name() + "')");
			ShareableList attached = open(ShareableList.of(this.directory.attach(empty.shm().name())));
			assertThat(attached).isEmpty();
		}
		finally {
			empty.shm().unlink();
		}
	}

	// CPython's test_shared_memory_ShareableList_pickling: unpickling attaches by name.

	@Test
	void handleAttachedByNameSharesChangesBothWays() {
		ShareableList sl = create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
		try {
			ShareableList attached = open(ShareableList.of(this.directory.attach(sl.shm().name())));
			assertThat(attached).isNotSameAs(sl);
			assertThat(attached.get(9)).isEqualTo(9L);
			attached.set(4, "changed");
			assertThat(sl.get(4)).isEqualTo("changed");
			sl.set(3, "newvalue");
			assertThat(attached.get(3)).isEqualTo("newvalue");
		}
		finally {
			sl.shm().unlink();
		}
	}

	// CPython's test_shared_memory_ShareableList_pickling_dead_object.

	@Test
	void attachingToAnUnlinkedListFails() {
		ShareableList sl = create(0, 1, 2);
		String name = sl.shm().name();
		sl.close();
		sl.shm().unlink();
		assertThatExceptionOfType(SharedMemoryNotFoundException.class).isThrownBy(() -> this.directory.attach(name));
	}

	// The Java API.

	@Test
	void staticMethodsWorkInTheDefaultDirectory() {
		ShareableList generated = ShareableList.create(List.of(1, "two"));
		InDevShm.recordBlock(generated.shm().directory().path().resolve(generated.shm().name()));
		try {
			assertThat(generated.shm().name()).matches("psm_[0-9a-f]{8}");
			assertThat(generated.shm().directory().path()).isEqualTo(SharedMemoryDirectory.defaultDirectory().path());
			try (ShareableList attached = ShareableList.attach(generated.shm().name())) {
				assertThat(attached).containsExactly(1L, "two");
			}
		}
		finally {
			generated.close();
			generated.shm().unlink();
		}
		String name = DevShm.uniquePrefix("jsl");
		try (ShareableList named = ShareableList.create(name, List.of(3.0))) {
			assertThat(named.shm().name()).isEqualTo(name);
			assertThat(named).containsExactly(3.0);
		}
		finally {
			SharedMemoryDirectory.defaultDirectory().unlink(name);
		}
	}

	@Test
	void nullNameGeneratesOne() {
		ShareableList list = open(ShareableList.create(this.directory, null, List.of(1)));
		try {
			assertThat(list.shm().name()).matches("psm_[0-9a-f]{8}");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void smallerIntegersAndFloatsAreWidened() {
		ShareableList list = create((byte) -8, (short) 300, 70_000, 5_000_000_000L, 1.5f, 2.25);
		try {
			assertThat(list).containsExactly(-8L, 300L, 70_000L, 5_000_000_000L, 1.5, 2.25);
			assertThat(list.format()).isEqualTo("qqqqdd");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void unsupportedTypeIsRejectedBeforeAnythingIsCreated() {
		for (Object unsupported : List.of(BigInteger.TEN, 'c', new Object(), List.of(1), new int[] { 1 })) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> ShareableList.create(this.directory, "rejected", Arrays.asList(1, unsupported)))
				.withMessageContaining("Item 1")
				.withMessageContaining(unsupported.getClass().getName());
		}
		assertThat(this.directory.exists("rejected")).isFalse();
	}

	@Test
	void valueTooLargeForAFormatIsRejectedBeforeAnythingIsCreated() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ShareableList.create(this.directory, "rejected", List.of("a", new byte[9_999_992])))
			.withMessageContaining("Item 1")
			.withMessageContaining("9999992 bytes")
			.withMessageContaining("slot of 10000000 bytes")
			.withMessageContaining("9999999");
		assertThat(this.directory.exists("rejected")).isFalse();
	}

	@Test
	void largestValueAFormatCanDescribe() {
		ShareableList list = create(new byte[9_999_991]);
		try {
			assertThat(list.format()).isEqualTo("9999992s");
			list.set(0, "fits");
			assertThat(list.get(0)).isEqualTo("fits");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void listLargerThanOneByteBufferIsRejectedBeforeAnythingIsCreated() {
		List<byte[]> items = Collections.nCopies(215, new byte[9_999_991]);
		assertThatIllegalArgumentException().isThrownBy(() -> ShareableList.create(this.directory, "rejected", items))
			.withMessageContaining("215 items")
			.withMessageContaining("2150001951 bytes")
			.withMessageContaining(Integer.toString(SharedMemory.MAX_BUFFER_BYTES));
		assertThat(this.directory.exists("rejected")).isFalse();
	}

	@Test
	void nameTakenFailsAndLeavesTheExistingBlockAlone() {
		ShareableList list = create(1);
		try {
			assertThatExceptionOfType(SharedMemoryExistsException.class)
				.isThrownBy(() -> ShareableList.create(this.directory, list.shm().name(), List.of("other")));
			assertThat(list).containsExactly(1L);
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void textIsSizedByItsUtf8Bytes() {
		// CPython gives 7 characters 8 bytes (gh-88336) and cuts this text to 'éééé'.
		ShareableList list = create("ééééééé", "日本語", "😀");
		try {
			assertThat(list.format()).isEqualTo("16s16s8s");
			assertThat(list).containsExactly("ééééééé", "日本語", "😀");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void textCutInsideACharacterReadsWithoutTheIncompleteCharacter() {
		ShareableList list = create((Object) new byte[7]);
		try {
			// What CPython writes for 'aéééééé': 7 characters, an 8-byte slot, the last é
			// cut in two.
			byte[] cut = Arrays.copyOf("aéééééé".getBytes(StandardCharsets.UTF_8), 8);
			ByteBuffer buffer = list.shm().buf();
			buffer.put(ShareableListLayout.EMPTY_LIST_SIZE + 8, cut);
			buffer.put((int) list.shm().size() - 1, ShareableListLayout.CODE_STR);
			assertThat(list.get(0)).isEqualTo("aééé");
			assertThat(list.getString(0)).isEqualTo("aééé");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void trailingNulsAreLostAsInPython() {
		ShareableList list = create(new byte[] { 'a', 0, 'b', 0, 0 }, "x\u0000", "\u0000y");
		try {
			assertThat(list).containsExactly(new byte[] { 'a', 0, 'b' }, "x", "\u0000y");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void textWithAnUnpairedSurrogateIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ShareableList.create(this.directory, "rejected", List.of("ok", "a\uD800b")))
			.withMessageContaining("Item 1")
			.withMessageContaining("unpaired surrogate");
		ShareableList list = create("12345678");
		try {
			assertThatIllegalArgumentException().isThrownBy(() -> list.setString(0, "\uDC00"));
			assertThat(list.get(0)).isEqualTo("12345678");
		}
		finally {
			list.shm().unlink();
		}
		assertThat(this.directory.exists("rejected")).isFalse();
	}

	@Test
	void typedGettersReadTheirType() {
		ShareableList list = create(Long.MIN_VALUE, Double.NaN, true, false, "text", HOWDY, null);
		try {
			assertThat(list.getLong(0)).isEqualTo(Long.MIN_VALUE);
			assertThat(list.getDouble(1)).isNaN();
			assertThat(list.getBoolean(2)).isTrue();
			assertThat(list.getBoolean(3)).isFalse();
			assertThat(list.getString(4)).isEqualTo("text");
			assertThat(list.getBytes(5)).isEqualTo(HOWDY);
			assertThat(list.isNull(6)).isTrue();
			assertThat(list.isNull(0)).isFalse();
			assertThat(list.isNull(4)).isFalse();
			assertThat(list.getString(6)).isNull();
			assertThat(list.getBytes(6)).isNull();
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void typedGetterOfAnotherTypeNamesTheItemAndItsType() {
		ShareableList list = create(1, 2.0, true, "text", HOWDY, null);
		try {
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getLong(1))
				.withMessage(
						"Item 1 of ShareableList '" + list.shm().name() + "' is a float (Double), not an int (Long)");
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getDouble(0))
				.withMessageContaining("Item 0")
				.withMessageContaining("is an int (Long)");
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getBoolean(3))
				.withMessageContaining("is a str (String)");
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getString(4))
				.withMessageContaining("is a bytes (byte[])");
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getBytes(2))
				.withMessageContaining("is a bool (Boolean)");
			assertThatExceptionOfType(ClassCastException.class).isThrownBy(() -> list.getLong(5))
				.withMessageContaining("is None (null)");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void typedSettersChangeTypeAsPythonDoes() {
		ShareableList list = create("a string slot", 0, 0, 0, 0, 0);
		try {
			list.setLong(0, Long.MAX_VALUE);
			list.setDouble(1, Double.NEGATIVE_INFINITY);
			list.setBoolean(2, true);
			list.setNull(3);
			list.setString(4, "é😀");
			list.setBytes(5, bytes("8 bytes!"));
			assertThat(list).containsExactly(Long.MAX_VALUE, Double.NEGATIVE_INFINITY, true, null, "é😀",
					bytes("8 bytes!"));
			assertThat(list.format()).isEqualTo("qdxxxxxxx?xxxxxx?x8s8s");
			// A str slot keeps its full size whatever it held in between.
			list.setString(0, "x".repeat(16));
			assertThat(list.format()).startsWith("16s");
			list.setString(1, null);
			list.setBytes(2, null);
			assertThat(list.isNull(1)).isTrue();
			assertThat(list.isNull(2)).isTrue();
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void setReturnsThePreviousItem() {
		ShareableList list = create("old", 1);
		try {
			assertThat(list.set(0, "new")).isEqualTo("old");
			assertThat(list.set(1, null)).isEqualTo(1L);
			assertThat(list.set(1, 2.5f)).isNull();
			assertThat(list.get(1)).isEqualTo(2.5);
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void failedSetWritesNothing() {
		ShareableList list = create("12345678", 7);
		try {
			byte[] before = contents(list.shm());
			assertThatIllegalArgumentException().isThrownBy(() -> list.set(1, new BigInteger("1")))
				.withMessageContaining("Item 1");
			assertThatIllegalArgumentException().isThrownBy(() -> list.setString(1, "123456789"))
				.withMessageContaining("9 bytes")
				.withMessageContaining("8-byte slot");
			assertThatIllegalArgumentException().isThrownBy(() -> list.setBytes(0, new byte[17]))
				.withMessageContaining("17 bytes")
				.withMessageContaining("16-byte slot");
			assertThat(contents(list.shm())).isEqualTo(before);
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void shorterTextOverwritesTheWholeSlot() {
		ShareableList list = create("a long text of 24 bytes.", HOWDY);
		try {
			list.set(0, "short");
			assertThat(list.get(0)).isEqualTo("short");
			list.set(0, 7);
			list.set(0, bytes("xy"));
			assertThat(list.get(0)).isEqualTo(bytes("xy"));
			assertThat(list.get(1)).isEqualTo(HOWDY);
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void indexOutOfRangeIsRejected() {
		ShareableList list = create(1, 2);
		try {
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.get(-1));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.get(2));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.getLong(2));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.setLong(2, 1));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.setString(-1, "a"));
			assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> list.isNull(5));
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void lengthIsFixed() {
		ShareableList list = create(1, 2);
		try {
			List<Runnable> changes = List.of(() -> list.add(3), () -> list.add(0, 3), () -> list.remove(0),
					() -> list.remove((Object) 1L), () -> list.addAll(List.of(3)), () -> list.addAll(0, List.of(3)),
					() -> list.removeAll(List.of(1L)), () -> list.retainAll(List.of()),
					() -> list.removeIf((x) -> true), list::clear);
			for (Runnable change : changes) {
				assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(change::run)
					.withMessageContaining("fixed length of 2");
			}
			// What would change nothing changes nothing, as on Arrays.asList.
			assertThat(list.remove((Object) 9L)).isFalse();
			assertThat(list.addAll(List.of())).isFalse();
			assertThat(list.removeIf((x) -> false)).isFalse();
			assertThat(list.retainAll(List.of(1L, 2L))).isFalse();
			assertThat(list).containsExactly(1L, 2L);
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void countAndIndexCompareAsPythonDoes() {
		ShareableList list = create(1, 1.0, true, 0, false, 0.0, -0.0, Double.NaN, "a", bytes("a"), null, 1L << 53);
		try {
			assertThat(list.count(1)).isEqualTo(3);
			assertThat(list.count(true)).isEqualTo(3);
			assertThat(list.count(0.0f)).isEqualTo(4);
			assertThat(list.count(Double.NaN)).isZero();
			assertThat(list.count((1L << 53) + 1)).isZero();
			assertThat(list.count((double) (1L << 53))).isEqualTo(1);
			assertThat(list.count(bytes("a"))).isEqualTo(1);
			assertThat(list.count("a")).isEqualTo(1);
			assertThat(list.count(null)).isEqualTo(1);
			assertThat(list.count('a')).isZero();
			assertThat(list.indexOf(true)).isZero();
			assertThat(list.lastIndexOf(1)).isEqualTo(2);
			assertThat(list.indexOf(bytes("a"))).isEqualTo(9);
			assertThat(list.indexOf("missing")).isEqualTo(-1);
			assertThat(list.contains(bytes("a"))).isTrue();
			assertThat(list.contains(2)).isFalse();
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void firstAndLastIndexAtTheEdgesAndNotFound() {
		ShareableList list = create("x", 7, "y", 7, "x-last");
		ShareableList empty = create();
		try {
			assertThat(list.indexOf("x")).isZero();
			assertThat(list.lastIndexOf("x")).isZero();
			assertThat(list.contains("x")).isTrue();
			assertThat(list.lastIndexOf(7)).isEqualTo(3);
			assertThat(list.lastIndexOf(7.0)).isEqualTo(3);
			assertThat(list.lastIndexOf("x-last")).isEqualTo(4);
			assertThat(list.indexOf("x-last")).isEqualTo(4);
			assertThat(list.lastIndexOf("missing")).isEqualTo(-1);
			assertThat(list.indexOf("missing")).isEqualTo(-1);
			assertThat(list.contains("missing")).isFalse();
			assertThat(empty.lastIndexOf(null)).isEqualTo(-1);
			assertThat(empty.contains(null)).isFalse();
		}
		finally {
			list.shm().unlink();
			empty.shm().unlink();
		}
	}

	@Test
	void textEndingInALoneHighSurrogateIsRejectedAndNothingIsCreated() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ShareableList.create(this.directory, "rejected", List.of("ok", "abc\uD83D")))
			.withMessageContaining("Item 1 is a String with an unpaired surrogate at char 3");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ShareableList.create(this.directory, "rejected", List.of("\uD83D")))
			.withMessageContaining("Item 0 is a String with an unpaired surrogate at char 0");
		assertThat(this.directory.exists("rejected")).isFalse();
	}

	@Test
	void listsBuiltOnTheHeapAndInPlaceReadBackTheSameAfterAttach() {
		byte[] large = largeBytes();
		Arrays.fill(large, (byte) 0x5a);
		List<Object> small = Arrays.asList(7L, 2.5, "h\u00e9llo", "x".getBytes(StandardCharsets.US_ASCII), true, null);
		List<Object> inPlace = new ArrayList<>(small);
		inPlace.add(large);
		for (List<Object> items : List.of(small, inPlace)) {
			ShareableList created = ShareableList.create(this.directory, "roundtrip", items);
			// The second list is the one too large to be built on the heap first.
			assertThat(created.shm().size() > ShareableList.BUILT_ON_HEAP_BYTES).isEqualTo(items == inPlace);
			try (ShareableList attached = ShareableList.of(this.directory.attach("roundtrip"))) {
				assertThat(attached.shm().size()).isEqualTo(created.shm().size());
				assertThat(attached).hasSize(items.size());
				for (int i = 0; i < items.size(); i++) {
					assertThat(attached.get(i)).isEqualTo(items.get(i));
				}
			}
			finally {
				created.close();
				this.directory.unlink("roundtrip");
			}
		}
	}

	@Test
	void createThatFailsHalfWayClosesAndUnlinksTheBlock() {
		List<SharedMemory> made = new ArrayList<>();
		// A block one word too small: the header fits, the last item's bytes do not. The
		// list is one written in place, not built on the heap first.
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> ShareableList.create(List.of(largeBytes(), 1L),
					(size, content) -> add(made, this.directory.create("halfway", size - 8))));
		assertThat(made).singleElement().satisfies((block) -> assertThat(block.isClosed()).isTrue());
		assertThat(this.directory.exists("halfway")).isFalse();
	}

	@Test
	void createThatFailsHalfWayKeepsTheUnlinkFailure() {
		// Someone unlinks the block before the list is written: the write fails, and so
		// does the cleanup's unlink.
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> ShareableList.create(List.of(largeBytes(), 1L), (size, content) -> {
				SharedMemory block = this.directory.create("halfway", size - 8);
				this.directory.unlink("halfway");
				return block;
			}))
			.satisfies((ex) -> assertThat(ex.getSuppressed()).singleElement()
				.isInstanceOf(SharedMemoryNotFoundException.class));
		assertThat(this.directory.exists("halfway")).isFalse();
	}

	private static byte[] largeBytes() {
		return new byte[(int) ShareableList.BUILT_ON_HEAP_BYTES];
	}

	private int hashOfNewList(Object... items) {
		ShareableList list = create(items);
		try {
			return list.hashCode();
		}
		finally {
			list.shm().unlink();
		}
	}

	private static SharedMemory add(List<SharedMemory> blocks, SharedMemory block) {
		blocks.add(block);
		return block;
	}

	/**
	 * Blocks CPython 3.13 wrote for {@code ShareableList([text])} with text whose slot
	 * (sized by characters, gh-88336) cuts a character whose lead byte is 0xC2, 0xE0 or
	 * 0xF4, and what CPython keeps of the text
	 * ({@code rstrip(b'\0').decode('utf-8', 'ignore')}; CPython's own read raises
	 * UnicodeDecodeError).
	 */
	@ParameterizedTest
	@CsvSource({ "61c2a3c2a3c2a3c2,a£££", "61e0a495e0a495e0,aकक", "e0a495e0a495e0a4,कक",
			"61f48fbfbff48fbf,a\uDBFF\uDFFF",
			"616263f48fbfbff48fbfbff48fbfbff4,abc\uDBFF\uDFFF\uDBFF\uDFFF\uDBFF\uDFFF" })
	void textCPythonCutInsideACharacterReadsAsCPythonKeepsIt(String dataHex, String kept) {
		byte[] data = HexFormat.of().parseHex(dataHex);
		ByteBuffer block = ByteBuffer.allocate(8 + 16 + data.length + 8 + 1).order(ByteOrder.nativeOrder());
		block.putLong(1).putLong(0).putLong(data.length).put(data);
		block.put((data.length + "s").getBytes(StandardCharsets.US_ASCII)).position(block.capacity() - 1);
		block.put((byte) 1);
		try (SharedMemory shm = this.directory.create("cut", block.capacity())) {
			shm.buf().put(block.array());
			ShareableList list = open(ShareableList.of(shm));
			assertThat(list.get(0)).isEqualTo(kept);
			assertThat(list.format()).isEqualTo(data.length + "s");
		}
		finally {
			this.directory.unlink("cut");
		}
	}

	@Test
	void aClosedListEqualsItselfWithoutReadingItsItems() {
		ShareableList list = create("a", 1);
		List<Object> same = Arrays.asList("a", 1L);
		list.close();
		try {
			assertThat(list.equals(list)).isTrue();
			assertThatIllegalStateException().isThrownBy(() -> list.equals(same));
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void equalsAndHashCodeCompareBytesByContent() {
		ShareableList list = create("a", HOWDY, null, 1);
		try {
			List<Object> same = Arrays.asList("a", HOWDY.clone(), null, 1L);
			assertThat(list.equals(same)).isTrue();
			// List's contract, with a byte array hashed as the list of its bytes
			// (Arrays.hashCode's definition).
			List<Object> howdyBytes = new ArrayList<>();
			for (byte b : HOWDY) {
				howdyBytes.add(b);
			}
			assertThat(list.hashCode()).isEqualTo(Arrays.asList("a", howdyBytes, null, 1L).hashCode());
			assertThat(hashOfNewList("a", HOWDY.clone(), null, 1)).isEqualTo(list.hashCode());
			assertThat(hashOfNewList("a", HOWDY, null, 2)).isNotEqualTo(list.hashCode());
			assertThat(hashOfNewList()).isEqualTo(List.of().hashCode()).isEqualTo(1);
			assertThat(hashOfNewList(1, 2.5, true, "z")).isEqualTo(List.of(1L, 2.5, true, "z").hashCode());
			assertThat(list.equals(Arrays.asList("a", bytes("other"), null, 1L))).isFalse();
			assertThat(list.equals(Arrays.asList("a", HOWDY, null, 1))).isFalse();
			assertThat(list.equals(List.of("a"))).isFalse();
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void reprIsPythons() {
		ShareableList list = create("it's", bytes("\u0000\u00ff"), 1e16, 1e-5, Double.NaN, Double.NEGATIVE_INFINITY,
				-0.0, false, "tab\t");
		try {
			assertThat(list.toString())
				.isEqualTo("ShareableList([\"it's\", b'\\x00\\xc3\\xbf', 1e+16, 1e-05, nan, -inf,"
						+ " -0.0, False, 'tab\\t'], name='" + list.shm().name() + "')");
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void closedListRefusesAccessButNeverUnlinks() {
		ShareableList list = create("a", 1);
		try {
			list.close();
			list.close();
			assertThat(list.size()).isEqualTo(2);
			assertThat(list.toString()).isEqualTo("ShareableList(<closed>, name='" + list.shm().name() + "')");
			List<Runnable> accesses = List.of(() -> list.get(0), () -> list.getLong(1), () -> list.getString(0),
					() -> list.isNull(0), () -> list.set(0, "b"), () -> list.setLong(1, 2), () -> list.format(),
					() -> list.count(1), () -> list.iterator().next());
			for (Runnable access : accesses) {
				assertThatIllegalStateException().isThrownBy(access::run).withMessageContaining("is closed");
			}
			assertThat(this.directory.exists(list.shm().name())).isTrue();
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void closingTheBlockClosesTheList() {
		ShareableList list = create(1);
		try {
			list.shm().close();
			assertThatIllegalStateException().isThrownBy(() -> list.getLong(0));
		}
		finally {
			list.shm().unlink();
		}
	}

	@Test
	void attachingByNameToABlockThatHoldsNoListClosesTheBlock() {
		String name = InDevShm.blockName();
		try (SharedMemory block = SharedMemory.create(name, 4096)) {
			Path file = block.directory().path().resolve(name);
			if (MemoryMapper.best().unmapsOnRelease(block.size())) {
				int mappings = ProcessMappings.of(file).size();
				assertThatExceptionOfType(InvalidShareableListException.class)
					.isThrownBy(() -> ShareableList.attach(name));
				assertThat(ProcessMappings.of(file)).hasSize(mappings);
			}
			else {
				// The NIO mapping of a closed block waits for the collector, counted in
				// the JVM's backlog, which a collection elsewhere may count down
				// meanwhile: tried until nothing else moved it.
				await().atMost(Duration.ofSeconds(10)).until(() -> {
					long before = UnmapBacklog.get().waitingCount();
					assertThatExceptionOfType(InvalidShareableListException.class)
						.isThrownBy(() -> ShareableList.attach(name));
					return UnmapBacklog.get().waitingCount() == before + 1;
				});
			}
		}
		finally {
			SharedMemoryDirectory.defaultDirectory().unlink(name);
		}
	}

	@Test
	void attachingToAListInALargerBlockFails() {
		// A block created as raw memory and zeroed looks like an empty list, but its size
		// says otherwise.
		try (SharedMemory block = this.directory.create("zeros", 4096)) {
			assertThatExceptionOfType(InvalidShareableListException.class).isThrownBy(() -> ShareableList.of(block))
				.withMessageContaining("'zeros'")
				.withMessageContaining("16 bytes")
				.withMessageContaining("4096");
		}
		finally {
			this.directory.unlink("zeros");
		}
	}

	private ShareableList create(Object... items) {
		return open(ShareableList.create(this.directory, null, Arrays.asList(items)));
	}

	private ShareableList open(ShareableList list) {
		this.opened.add(list);
		return list;
	}

	private static byte[] contents(SharedMemory shm) {
		byte[] bytes = new byte[(int) shm.size()];
		shm.buf().get(bytes);
		return bytes;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
