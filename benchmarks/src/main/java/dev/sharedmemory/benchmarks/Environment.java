package dev.sharedmemory.benchmarks;

import dev.sharedmemory.SharedMemoryDirectory;

/**
 * Prints, as one JSON object, what the benchmark report needs to know of the JVM it runs
 * on: its version and the mapping implementation the library picked on it.
 */
public final class Environment {

	private Environment() {
	}

	/**
	 * Prints the JVM's description.
	 * @param args ignored
	 */
	public static void main(String[] args) {
		System.out.println("{\"javaVersion\": \"" + System.getProperty("java.version") + "\", \"vm\": \""
				+ System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
				+ "\", \"mapping\": \"" + SharedMemoryDirectory.defaultDirectory().mappingImplementation() + "\"}");
	}

}
