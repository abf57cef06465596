package dev.sharedmemory.modular.app;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryNotFoundException;

/**
 * Creates a block, attaches to it, reads back what it wrote, unlinks it, and prints what it found: the module core was
 * loaded as and the mapping implementation it used. Exits non-zero on any disagreement.
 */
public final class Main {

	private Main() {
	}

	public static void main(String[] args) {
		String name = args[0];
		try (SharedMemory created = SharedMemory.create(name, 64)) {
			created.buf().put(7, (byte) 42);
			try (SharedMemory attached = SharedMemory.attach(name)) {
				check(attached.buf().get(7) == 42, "attached block reads 42");
			}
			created.unlink();
		}
		try {
			SharedMemory.attach(name).close();
			throw new IllegalStateException("block " + name + " still attachable after unlink");
		}
		catch (SharedMemoryNotFoundException expected) {
			// Unlinked: what the application checks.
		}
		Module core = SharedMemory.class.getModule();
		check(core.isNamed() && core.getDescriptor().isAutomatic(), "core is an automatic module");
		System.out.println("module=" + core.getName());
		System.out.println("mapping=" + SharedMemoryDirectory.defaultDirectory().mappingImplementation());
	}

	private static void check(boolean condition, String what) {
		if (!condition) {
			throw new IllegalStateException("Failed: " + what);
		}
	}

}
