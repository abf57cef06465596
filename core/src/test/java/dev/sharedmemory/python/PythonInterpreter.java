package dev.sharedmemory.python;

import java.nio.file.Path;

/**
 * A CPython interpreter the interop tests run against.
 *
 * @param executable the interpreter's executable
 * @param version its version, such as {@code 3.11.7}
 */
public record PythonInterpreter(Path executable, String version) {

	/**
	 * Returns the minor version, such as 11 for 3.11.7.
	 * @return the minor version
	 */
	public int minor() {
		return Integer.parseInt(this.version.split("\\.")[1]);
	}

	@Override
	public String toString() {
		return "CPython " + this.version;
	}

}
