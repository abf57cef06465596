package dev.sharedmemory.ndarray;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link NDArray} on its own: creating, attaching and wrapping, element and
 * bulk access, views, windows of arrays larger than 2 GiB, and the descriptor.
 */
class NDArrayTests {

	private static final long THREE_GIB = 3L << 30;

	@RegisterExtension
	final TestBlocks blocks = new TestBlocks();

	@Test
	void createdArrayIsZerosAfterAnNpyHeaderAndIsAttachedByName() {
		NDArray created = create(DType.FLOAT64, Order.C, 2, 3);
		assertThat(created.headerLength()).isEqualTo(128);
		assertThat(created.dataOffset()).isEqualTo(128);
		assertThat(created.shm().size()).isEqualTo(128 + 48);
		assertThat(created.strides()).containsExactly(24, 8);
		assertThat(created.size()).isEqualTo(6);
		assertThat(created.getDouble(1, 2)).isZero();
		created.setDouble(2.5, 1, 2);
		NDArray attached = this.blocks.track(NDArray.attach(TestBlocks.DIRECTORY, created.shm().name()));
		assertThat(attached.dtype()).isEqualTo(DType.FLOAT64);
		assertThat(attached.shape()).containsExactly(2, 3);
		assertThat(attached.order()).isEqualTo(Order.C);
		assertThat(attached.getDouble(1, 2)).isEqualTo(2.5);
		assertThat(attached.doubles().get(5)).isEqualTo(2.5);
		assertThat(attached).hasToString("NDArray('" + created.shm().name() + "', dtype=<f8, shape=(2, 3), order=C)");
	}

	@Test
	void generatedNameIsPythons() {
		try (NDArray array = NDArray.create(TestBlocks.DIRECTORY, DType.INT8, Order.C, 4)) {
			try {
				assertThat(array.shm().name()).matches("psm_[0-9a-f]{8}");
			}
			finally {
				array.shm().unlink();
			}
		}
	}

	@Test
	void fortranOrderLaysTheFirstIndexFastest() {
		NDArray array = create(DType.INT32.withByteOrder(ByteOrder.BIG_ENDIAN), Order.F, 2, 3);
		assertThat(array.strides()).containsExactly(4, 8);
		array.setInt(7, 1, 0);
		array.setInt(9, 0, 1);
		assertThat(array.ints().get(1)).isEqualTo(7);
		assertThat(array.ints().get(2)).isEqualTo(9);
		assertThat(array.data().get(7)).isEqualTo((byte) 7);
	}

	@Test
	void everyDtypeHasItsAccessors() {
		NDArray bools = create(DType.BOOL, Order.C, 2);
		bools.setBoolean(true, 1);
		assertThat(bools.getBoolean(1)).isTrue();
		assertThat(bools.data().get(1)).isEqualTo((byte) 1);
		NDArray bytes = create(DType.UINT8, Order.C, 2);
		bytes.setByte((byte) 0xFF, 0);
		assertThat(Byte.toUnsignedInt(bytes.getByte(0))).isEqualTo(255);
		NDArray shorts = create(DType.INT16, Order.C, 2);
		shorts.setShort((short) -2, 1);
		assertThat(shorts.shorts().get(1)).isEqualTo((short) -2);
		NDArray longs = create(DType.UINT64, Order.C, 2);
		longs.setLong(-1L, 1);
		assertThat(Long.toUnsignedString(longs.getLong(1))).isEqualTo("18446744073709551615");
		NDArray floats = create(DType.FLOAT32, Order.C, 2);
		floats.setFloat(1.5f, 1);
		assertThat(floats.floats().get(1)).isEqualTo(1.5f);
		NDArray complex = create(DType.COMPLEX128, Order.C, 2);
		complex.copyFrom(0, new double[] { 1, 2, 3, 4 }, 0, 4);
		assertThat(complex.doubles().get(3)).isEqualTo(4.0);
		assertThatIllegalStateException().isThrownBy(() -> complex.getDouble(0))
			.withMessage("getDouble does not serve " + complex + ", whose dtype is <c16 (complex128)");
	}

	@Test
	void anAccessorOfAnotherTypeIsRefused() {
		NDArray array = create(DType.INT32, Order.C, 2);
		assertThatIllegalStateException().isThrownBy(() -> array.getDouble(0))
			.withMessage("getDouble does not serve " + array + ", whose dtype is <i4 (int32)");
		assertThatIllegalStateException().isThrownBy(array::doubles);
		assertThatIllegalStateException().isThrownBy(() -> array.copyTo(0, new long[2], 0, 2));
	}

	@Test
	void indicesAreCheckedPerDimension() {
		NDArray array = create(DType.FLOAT64, Order.C, 2, 3);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> array.getDouble(0, 3))
			.withMessage("Index 3 is out of bounds for dimension 1 of " + array + ", of size 3");
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> array.getDouble(-1, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> array.getDouble(0))
			.withMessage("getDouble was given 1 indices for " + array + ", which has 2 dimensions");
	}

	@Test
	void indicesOneByOneReachTheElementsTheIndexArrayDoes() {
		NDArray vector = create(DType.INT16, Order.C, 5);
		vector.setShort((short) -3, 4);
		assertThat(vector.getShort(new long[] { 4 })).isEqualTo((short) -3);
		NDArray matrix = create(DType.FLOAT32, Order.F, 3, 4);
		matrix.setFloat(2.5f, 2, 1);
		assertThat(matrix.getFloat(new long[] { 2, 1 })).isEqualTo(2.5f);
		assertThat(matrix.floats().get(1 * 3 + 2)).isEqualTo(2.5f);
		NDArray cube = create(DType.UINT64, Order.C, 2, 3, 4);
		for (int i = 0; i < 2; i++) {
			for (int j = 0; j < 3; j++) {
				for (int k = 0; k < 4; k++) {
					cube.setLong(100L * i + 10L * j + k, i, j, k);
				}
			}
		}
		assertThat(cube.getLong(new long[] { 1, 2, 3 })).isEqualTo(123L);
		assertThat(cube.longs().get(23)).isEqualTo(123L);
		cube.setLong(-1L, new long[] { 0, 1, 2 });
		assertThat(cube.getLong(0, 1, 2)).isEqualTo(-1L);
		NDArray flags = create(DType.BOOL, Order.C, 2, 2);
		flags.setBoolean(true, 1, 0);
		assertThat(flags.getBoolean(1, 0)).isTrue();
		assertThat(flags.getBoolean(0, 1)).isFalse();
		NDArray bytes = create(DType.UINT8, Order.C, 2, 2, 2);
		bytes.setByte((byte) 200, 1, 1, 1);
		assertThat(Byte.toUnsignedInt(bytes.getByte(1, 1, 1))).isEqualTo(200);
		NDArray ints = create(DType.INT32.withByteOrder(ByteOrder.BIG_ENDIAN), Order.C, 3);
		ints.setInt(0x01020304, 1);
		assertThat(ints.getInt(1)).isEqualTo(0x01020304);
		assertThat(ints.data().order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(0x04030201);
		NDArray doubles = create(DType.FLOAT64, Order.C, 2, 2, 2);
		doubles.setDouble(Math.E, 1, 0, 1);
		assertThat(doubles.getDouble(1, 0, 1)).isEqualTo(Math.E);
		assertThat(doubles.doubles().get(5)).isEqualTo(Math.E);
	}

	@Test
	void indicesOneByOneAreCheckedAsTheIndexArrayIs() {
		NDArray cube = create(DType.FLOAT64, Order.C, 2, 3, 4);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> cube.getDouble(1, 2, 4))
			.withMessage("Index 4 is out of bounds for dimension 2 of " + cube + ", of size 4");
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> cube.setDouble(1, 0, 3, 0))
			.withMessage("Index 3 is out of bounds for dimension 1 of " + cube + ", of size 3");
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> cube.getDouble(-1, 0, 0))
			.withMessage("Index -1 is out of bounds for dimension 0 of " + cube + ", of size 2");
		assertThatExceptionOfType(IndexOutOfBoundsException.class)
			.isThrownBy(() -> cube.getDouble(Long.MIN_VALUE, 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> cube.getDouble(0, 0))
			.withMessage("getDouble was given 2 indices for " + cube + ", which has 3 dimensions");
		assertThatIllegalArgumentException().isThrownBy(() -> cube.setDouble(0, 0))
			.withMessage("setDouble was given 1 indices for " + cube + ", which has 3 dimensions");
		assertThatIllegalStateException().isThrownBy(() -> cube.getLong(0, 0, 0))
			.withMessage("getLong does not serve " + cube + ", whose dtype is <f8 (float64)");
		NDArray row = create(DType.INT8, Order.C, 3);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> row.getByte(3))
			.withMessage("Index 3 is out of bounds for dimension 0 of " + row + ", of size 3");
		cube.close();
		assertThatIllegalStateException().isThrownBy(() -> cube.getDouble(0, 0, 0)).withMessageEndingWith("is closed");
		assertThatIllegalStateException().isThrownBy(() -> cube.setDouble(1, 0, 0, 0))
			.withMessageEndingWith("is closed");
	}

	@Test
	void attachReadsAHeaderLongerThanItsFirstReadFromTheBlock() {
		long[] shape = new long[NpyLayout.MAX_DIMENSIONS];
		Arrays.fill(shape, 1);
		shape[0] = 3;
		NDArray created = create(DType.INT32, Order.C, shape);
		assertThat(created.headerLength()).isGreaterThan(256);
		long[] last = new long[shape.length];
		last[0] = 2;
		created.setInt(77, last);
		NDArray attached = this.blocks.track(NDArray.attach(TestBlocks.DIRECTORY, created.shm().name()));
		assertThat(attached.shape()).containsExactly(shape);
		assertThat(attached.dataOffset()).isEqualTo(created.dataOffset());
		assertThat(attached.getInt(last)).isEqualTo(77);
	}

	@Test
	void zeroDimensionalArrayHoldsOneElement() {
		NDArray scalar = create(DType.FLOAT64, Order.C);
		assertThat(scalar.size()).isOne();
		assertThat(scalar.ndim()).isZero();
		scalar.setDouble(Math.PI);
		NDArray attached = this.blocks.track(NDArray.attach(TestBlocks.DIRECTORY, scalar.shm().name()));
		assertThat(attached.getDouble()).isEqualTo(Math.PI);
	}

	@Test
	void emptyArrayHasNoDataAndNoElement() {
		NDArray empty = create(DType.INT64, Order.C, 3, 0, 2);
		assertThat(empty.size()).isZero();
		assertThat(empty.nbytes()).isZero();
		assertThat(empty.strides()).containsExactly(16, 16, 8);
		assertThat(empty.shm().size()).isEqualTo(empty.headerLength());
		assertThat(empty.longs().capacity()).isZero();
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> empty.getLong(0, 0, 0));
		empty.copyTo(0, new long[0], 0, 0);
	}

	@Test
	void bulkCopiesGoBothWays() {
		NDArray array = create(DType.FLOAT32.withByteOrder(ByteOrder.BIG_ENDIAN), Order.C, 4, 5);
		float[] values = new float[20];
		for (int i = 0; i < values.length; i++) {
			values[i] = i * 0.25f;
		}
		array.copyFrom(0, values, 0, 20);
		assertThat(array.getFloat(3, 4)).isEqualTo(19 * 0.25f);
		float[] back = new float[7];
		array.copyTo(10, back, 2, 5);
		assertThat(back).containsExactly(0, 0, 2.5f, 2.75f, 3f, 3.25f, 3.5f);
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> array.copyTo(16, back, 0, 5));
	}

	@Test
	void wrappedArrayReadsAPlainBlockAtAnOffset() {
		SharedMemory block = this.blocks.block(new byte[64]);
		block.buf().order(ByteOrder.LITTLE_ENDIAN).putShort(10, (short) 513);
		NDArray array = NDArray.wrap(block, 8, DType.UINT16.withByteOrder(ByteOrder.LITTLE_ENDIAN), Order.C, 2, 4);
		assertThat(array.headerLength()).isZero();
		assertThat(array.getShort(0, 1)).isEqualTo((short) 513);
		assertThatExceptionOfType(InvalidNDArrayException.class)
			.isThrownBy(() -> NDArray.wrap(block, 8, DType.FLOAT64, Order.C, 8))
			.withMessage("Shared memory block '" + block.name() + "' cannot hold the array: shape (8,) of <f8 needs "
					+ "64 bytes of data from offset 8, but the block has 64 bytes");
		assertThatExceptionOfType(InvalidNDArrayException.class)
			.isThrownBy(() -> NDArray.wrap(block, 0, DType.INT8, Order.C, 2, -1))
			.withMessageEndingWith("shape (2, -1) has a negative dimension");
		assertThatExceptionOfType(InvalidNDArrayException.class)
			.isThrownBy(() -> NDArray.wrap(block, 0, DType.INT64, Order.C, 1L << 40, 1L << 40))
			.withMessageEndingWith("shape (1099511627776, 1099511627776) of <i8 holds more bytes than a long counts");
	}

	@Test
	void headerShapeLargerThanTheBlockIsRefused() {
		byte[] header = NpyLayout.header(DType.FLOAT64, Order.C, new long[] { 1000 });
		SharedMemory block = this.blocks.block(Arrays.copyOf(header, header.length + 16));
		assertThatExceptionOfType(InvalidNDArrayException.class).isThrownBy(() -> NDArray.of(block))
			.withMessage("Shared memory block '" + block.name() + "' holds no valid .npy array: shape (1000,) of <f8 "
					+ "needs 8000 bytes of data from offset 128, but the block has 144 bytes");
	}

	@Test
	void closedArrayRefusesAccess() {
		NDArray array = NDArray.create(TestBlocks.DIRECTORY, this.blocks.newName(), DType.FLOAT64, Order.C, 2);
		array.close();
		assertThatIllegalStateException().isThrownBy(() -> array.getDouble(0)).withMessageEndingWith("is closed");
		assertThatIllegalStateException().isThrownBy(array::data);
	}

	@Test
	void arrayLargerThanTwoGibibytesIsReachedThroughWindows() {
		SharedMemoryDirectory sparse = TestBlocks.DIRECTORY.withPageReservation(false);
		NDArray array = this.blocks
			.track(NDArray.create(sparse, this.blocks.newName(), DType.INT64, Order.C, 3, THREE_GIB / 24));
		long last = THREE_GIB / 24 - 1;
		array.setLong(42L, 2, last);
		array.setLong(-7L, 1, (1L << 30) / 8 - 1);
		assertThat(array.getLong(2, last)).isEqualTo(42L);
		assertThatIllegalStateException().isThrownBy(array::longs).withMessageContaining("use data(offset, length)");
		assertThat(array.data(array.nbytes() - 8, 8).getLong(0)).isEqualTo(42L);
		long[] across = new long[4];
		long firstOfRow1 = THREE_GIB / 24;
		array.copyTo(firstOfRow1 + (1L << 30) / 8 - 2, across, 0, 4);
		assertThat(across).containsExactly(0, -7, 0, 0);
		array.copyFrom(firstOfRow1 * 3 - 4, new long[] { 1, 2, 3, 4 }, 0, 4);
		assertThat(array.getLong(2, last)).isEqualTo(4L);
		assertThat(this.blocks.track(NDArray.attach(sparse, array.shm().name())).getLong(2, last - 3)).isEqualTo(1L);
	}

	@Test
	void descriptorIsWrittenAndReadAsJson() {
		NDArray array = create(DType.FLOAT64.withByteOrder(ByteOrder.BIG_ENDIAN), Order.F, 2, 3);
		String name = array.shm().name();
		String json = array.descriptor().toJson();
		assertThat(json).isEqualTo("{\"appose_type\":\"ndarray\",\"dtype\":\">f8\",\"shape\":[2,3],\"order\":\"F\","
				+ "\"offset\":128,\"shm\":{\"appose_type\":\"shm\",\"name\":\"" + name + "\",\"rsize\":176}}");
		NDArrayDescriptor read = NDArrayDescriptor.fromJson(json);
		assertThat(read).isEqualTo(array.descriptor());
		array.setDouble(6.5, 1, 2);
		NDArray wrapped = this.blocks.track(NDArray.attach(TestBlocks.DIRECTORY, read));
		assertThat(wrapped.getDouble(1, 2)).isEqualTo(6.5);
		assertThat(create(DType.FLOAT32, Order.C, 1).descriptor().toJson()).contains("\"dtype\":\"float32\"");
	}

	@Test
	void apposeDescriptorIsRead() {
		NDArrayDescriptor appose = NDArrayDescriptor.fromJson("{\"appose_type\": \"ndarray\", \"dtype\": \"uint8\", "
				+ "\"shape\": [2, 3, 4], \"shm\": {\"appose_type\": \"shm\", \"name\": \"psm_4812f794\", "
				+ "\"rsize\": 16384, \"extra\": [1.5, true, null, {\"a\": \"\\u00e9\"}]}}");
		assertThat(appose)
			.isEqualTo(new NDArrayDescriptor("psm_4812f794", 16384, DType.UINT8, List.of(2L, 3L, 4L), Order.C, 0));
	}

	@Test
	void invalidDescriptorIsRefusedNamingTheField() {
		assertThatIllegalArgumentException().isThrownBy(() -> NDArrayDescriptor.fromJson("{\"dtype\": \"uint8\"}"))
			.withMessage("Not an array descriptor: \"shm\" is not a JSON object");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> NDArrayDescriptor
				.fromJson("{\"dtype\": \"uint8\", \"shape\": [-1], " + "\"shm\": {\"name\": \"x\", \"rsize\": 1}}"))
			.withMessage("Not an array descriptor: a dimension of \"shape\" is not a non-negative integer: -1");
		assertThatIllegalArgumentException().isThrownBy(() -> NDArrayDescriptor.fromJson("{\"dtype\": "))
			.withMessageStartingWith("Not a valid JSON document: expected a JSON value");
		assertThatIllegalArgumentException().isThrownBy(() -> NDArrayDescriptor.fromJson("[".repeat(100)))
			.withMessageStartingWith("Not a valid JSON document: JSON nested deeper than 32");
	}

	private NDArray create(DType dtype, Order order, long... shape) {
		return this.blocks.track(NDArray.create(TestBlocks.DIRECTORY, this.blocks.newName(), dtype, order, shape));
	}

}
