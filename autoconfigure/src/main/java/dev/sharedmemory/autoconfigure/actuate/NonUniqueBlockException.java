package dev.sharedmemory.autoconfigure.actuate;

import java.util.Collection;
import java.util.List;

/**
 * Thrown when a block is asked for by name alone and several managers track a block of
 * that name (each in its own directory).
 */
public class NonUniqueBlockException extends RuntimeException {

	private final String blockName;

	private final List<String> managerNames;

	/**
	 * Creates an exception for the given block name.
	 * @param blockName the block's name
	 * @param managerNames the bean names of the managers that track a block of that name
	 */
	public NonUniqueBlockException(String blockName, Collection<String> managerNames) {
		super(String.format("Several managers track a block named %s, give the 'manager' to use: %s", blockName,
				managerNames));
		this.blockName = blockName;
		this.managerNames = List.copyOf(managerNames);
	}

	public String getBlockName() {
		return this.blockName;
	}

	public List<String> getManagerNames() {
		return this.managerNames;
	}

}
