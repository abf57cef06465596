package dev.sharedmemory.ndarray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.sharedmemory.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link NpyLayout} and {@link NpyHeaderParser}: the header numpy writes, and
 * the headers it accepts read strictly. Agreement with numpy itself, byte for byte, is in
 * {@link NDArrayNumpyInteropTests}.
 */
class NpyLayoutTests {

	@RegisterExtension
	final TestBlocks blocks = new TestBlocks();

	@Test
	void headerIsTheOneOfNumpysFormatDocumentation() {
		byte[] header = NpyLayout.header(DType.FLOAT64.withByteOrder(ByteOrder.LITTLE_ENDIAN), Order.C,
				new long[] { 2, 3 });
		assertThat(header).hasSize(128);
		assertThat(Arrays.copyOf(header, 10)).containsExactly(0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0);
		String dict = new String(header, 10, 118, StandardCharsets.ISO_8859_1);
		assertThat(dict).startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }").endsWith(" \n");
		assertThat(dict.strip()).isEqualTo("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
	}

	@ParameterizedTest
	@CsvSource(delimiter = ';', value = { "'';()", "0;(0,)", "3;(3,)", "3,4;(3, 4)", "1,0,9;(1, 0, 9)" })
	void shapeIsWrittenAsPythonWritesATuple(String dimensions, String tuple) {
		long[] shape = dimensions.isEmpty() ? new long[0]
				: Arrays.stream(dimensions.split(",")).mapToLong(Long::parseLong).toArray();
		assertThat(NpyLayout.tuple(shape)).isEqualTo(tuple);
	}

	@Test
	void dataStartsAlignedWhateverTheShape() {
		for (int dimensions = 0; dimensions <= NpyLayout.MAX_DIMENSIONS; dimensions++) {
			long[] shape = new long[dimensions];
			Arrays.fill(shape, 1234567L * dimensions);
			byte[] header = NpyLayout.header(DType.UINT16, Order.F, shape);
			assertThat(header.length % NpyLayout.ARRAY_ALIGN).isZero();
			assertThat(header[header.length - 1]).isEqualTo((byte) '\n');
			assertThat(header[6]).isEqualTo((byte) 1);
		}
	}

	@Test
	void headersOfEveryVersionAreRead() {
		String dict = "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }";
		for (int major = 1; major <= 3; major++) {
			NpyLayout.Header header = NpyLayout.read(block(npy(major, dict, 24)));
			assertThat(header.majorVersion()).isEqualTo(major);
			assertThat(header.dtype()).isEqualTo(new DType(DType.Kind.INT, 4, ByteOrder.BIG_ENDIAN));
			assertThat(header.order()).isEqualTo(Order.F);
			assertThat(header.shape()).containsExactly(2, 3);
			assertThat(header.dataOffset()).isEqualTo(((major == 1) ? 10 : 12) + dict.length());
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "{'shape': (3,), 'fortran_order': False, 'descr': '<f8'}",
			"{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3 , ) , }",
			"  {'descr':'<f8','fortran_order':False,'shape':(3,)}\n\t \n",
			"{'descr': '=f8', 'fortran_order': False, 'shape': (3,),}",
			"{'descr': 'float64', 'fortran_order': " + "False, 'shape': (\n3,\n),\n}" })
	void keysInAnyOrderAndPythonsSpacingAndTrailingCommasAreRead(String dict) {
		NpyLayout.Header header = NpyLayout.read(block(npy(1, dict, 24)));
		assertThat(header.dtype()).isEqualTo(DType.FLOAT64);
		assertThat(header.order()).isEqualTo(Order.C);
		assertThat(header.shape()).containsExactly(3);
	}

	@Test
	void zeroDimensionalAndEmptyShapesAreRead() {
		assertThat(NpyLayout.read(block(npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': ()}", 1))).shape())
			.isEmpty();
		assertThat(
				NpyLayout.read(block(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 5)}", 0))).shape())
			.containsExactly(0, 5);
	}

	@ParameterizedTest
	@CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
			"{'descr': '<f8', 'fortran_order': False} => lacks the key 'shape'",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1} => has the key 'extra'",
			"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)} => has the key 'descr' twice",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3)} => a number in parentheses, not a tuple",
			"{'descr': '<f8', 'fortran_order': False, 'shape': [3]} => the shape is not a tuple",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)} => the shape has a negative dimension",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3.0,)} => not a decimal int",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (03,)} => leading zero",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)} => larger than",
			"{'descr': '<f8', 'fortran_order': 0, 'shape': (3,)} => 'fortran_order' is not True or False",
			"{'descr': '<f8', 'fortran_order': Falsey, 'shape': (3,)} => 'fortran_order' is not True or False",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3,) => expected ',' or '}'",
			"{'descr': '<f8, 'fortran_order': False, 'shape': (3,)} => expected ',' or '}'",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}{} => more than one dict",
			"{'descr': __import__('os'), 'fortran_order': False, 'shape': (3,)} => is not a string",
			"['descr', '<f8'] => does not start with a dict",
			"{'descr': '<f8\\n', 'fortran_order': False, 'shape': (3,)} => an escape",
			"{'descr': [('a', '<i4'), ('b', '<f8')], 'fortran_order': False, 'shape': (3,)} => "
					+ "its dtype '[('a', '<i4'), ('b', '<f8')]' is a structured dtype, which is not supported",
			"{'descr': ('<f8', (2,)), 'fortran_order': False, 'shape': (3,)} => a subarray dtype",
			"{'descr': '|O', 'fortran_order': False, 'shape': (3,)} => Unsupported dtype '|O' (Python objects",
			"{'descr': '<U5', 'fortran_order': False, 'shape': (3,)} => Unsupported dtype '<U5' (strings)",
			"{'descr': '<f2', 'fortran_order': False, 'shape': (3,)} => Unsupported dtype '<f2' (float16)",
			"{'descr': '<i3', 'fortran_order': False, 'shape': (3,)} => Unsupported dtype '<i3'",
			"{'descr': '<f8', 'fortran_order': False, 'shape': (3,) => at the end of the header" })
	void invalidHeaderIsRefusedNamingTheFault(String dict, String fault) {
		assertThatExceptionOfType(InvalidNDArrayException.class)
			.isThrownBy(() -> NpyLayout.read(block(npy(1, dict, 24))))
			.withMessageStartingWith("Shared memory block '" + this.blocks.prefix())
			.withMessageContaining("holds no valid .npy array: ")
			.withMessageContaining(fault);
	}

	@Test
	void preambleFaultsAreRefusedNamingThem() {
		byte[] valid = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}", 24);
		assertRefused(Arrays.copyOf(valid, 9), "its 9 bytes are fewer than the 10 of a .npy preamble");
		byte[] wrongMagic = valid.clone();
		wrongMagic[0] = 'x';
		assertRefused(wrongMagic, "it does not start with the .npy magic \\x93NUMPY");
		byte[] version = valid.clone();
		version[6] = 4;
		assertRefused(version, "its .npy format version is 4.0, not 1.0, 2.0 or 3.0");
		byte[] minor = valid.clone();
		minor[7] = 1;
		assertRefused(minor, "its .npy format version is 1.1, not 1.0, 2.0 or 3.0");
		byte[] pastEnd = valid.clone();
		pastEnd[8] = (byte) 0xFF;
		pastEnd[9] = (byte) 0xFF;
		assertRefused(pastEnd,
				"its header length, 65535 bytes, runs past the end of the block (" + valid.length + " bytes)");
		byte[] v2PastEnd = npy(2, "{}", 0);
		ByteBuffer.wrap(v2PastEnd).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
		assertRefused(v2PastEnd, "its header length, 4294967295 bytes, runs past the end of the block (14 bytes)");
		byte[] long_ = npy(2, "{" + " ".repeat(NpyLayout.MAX_HEADER_LENGTH) + "}", 0);
		assertRefused(long_, "its header is 10002 bytes long, more than the 10000 that numpy reads by default");
	}

	private void assertRefused(byte[] contents, String fault) {
		assertThatExceptionOfType(InvalidNDArrayException.class).isThrownBy(() -> NpyLayout.read(block(contents)))
			.withMessageEndingWith(fault)
			.satisfies((ex) -> assertThat(ex.getName()).startsWith(this.blocks.prefix()));
	}

	/**
	 * Returns a .npy image with the given dict as its header, unpadded, and data bytes of
	 * zeros.
	 */
	static byte[] npy(int major, String dict, int dataBytes) {
		byte[] text = dict.getBytes(StandardCharsets.UTF_8);
		int preamble = (major == 1) ? 10 : 12;
		ByteBuffer image = ByteBuffer.allocate(preamble + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
		image.put(NpyLayout.MAGIC).put((byte) major).put((byte) 0);
		if (major == 1) {
			image.putShort((short) text.length);
		}
		else {
			image.putInt(text.length);
		}
		return image.put(text).array();
	}

	private SharedMemory block(byte[] contents) {
		return this.blocks.block(contents);
	}

}
