package dev.sharedmemory.protocol.pickle;

/**
 * A pickle tried to name a global or build an object ({@code GLOBAL},
 * {@code STACK_GLOBAL}, {@code REDUCE}, {@code BUILD}, {@code INST}, {@code OBJ},
 * {@code NEWOBJ}, {@code NEWOBJ_EX}, {@code PERSID}, {@code BINPERSID}, {@code EXT1/2/4},
 * {@code NEXT_BUFFER}): what a pickle that runs code does, and what no manager message
 * needs.
 */
public class ForbiddenOpcodeException extends PickleException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception with the given message.
	 * @param message the opcode and its offset
	 */
	public ForbiddenOpcodeException(String message) {
		super(message);
	}

}
