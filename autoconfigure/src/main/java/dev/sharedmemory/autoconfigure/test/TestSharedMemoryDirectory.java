package dev.sharedmemory.autoconfigure.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.sharedmemory.ownership.OwnerRecord;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.util.FileSystemUtils;

/**
 * The private shared memory directory of a test context, made by
 * {@link AutoConfigureTestSharedMemory}: where the context's manager creates its blocks,
 * and what is in it. Inject it to assert that the code under test leaves no block behind:
 * <pre class="code">
 * assertThat(this.sharedMemory.blocksLeftBy(() -&gt; this.jobs.delete(this.jobs.submit(readings)))).isEmpty();
 * </pre> It counts every block in the directory, whether a manager tracks it or not, and
 * never the managers' owner records.
 */
public final class TestSharedMemoryDirectory implements DisposableBean {

	private final Path path;

	TestSharedMemoryDirectory(Path path) {
		this.path = path;
	}

	/**
	 * Returns the directory.
	 * @return its absolute path
	 */
	public Path path() {
		return this.path;
	}

	/**
	 * Returns the names of the blocks in the directory now.
	 * @return the names, sorted
	 */
	public Set<String> blockNames() {
		try (Stream<Path> files = Files.list(this.path)) {
			return files.map((file) -> file.getFileName().toString())
				.filter((name) -> !OwnerRecord.isOwnerFile(name))
				.collect(TreeSet::new, Set::add, Set::addAll);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not list the shared memory directory " + this.path, ex);
		}
	}

	/**
	 * Runs an action and returns the blocks it left: those in the directory afterwards
	 * that were not there before, whether the action completed or threw.
	 * @param action the code under test
	 * @return the names of the blocks it left, sorted; empty if it left none
	 * @throws Exception what the action threw, with the blocks it left named in a
	 * suppressed exception
	 */
	public Set<String> blocksLeftBy(Action action) throws Exception {
		Set<String> before = blockNames();
		try {
			action.run();
		}
		catch (Exception | Error ex) {
			Set<String> left = newSince(before);
			if (!left.isEmpty()) {
				ex.addSuppressed(new IllegalStateException("Shared memory blocks left behind: " + left));
			}
			throw ex;
		}
		return newSince(before);
	}

	private Set<String> newSince(Set<String> before) {
		Set<String> left = new LinkedHashSet<>(blockNames());
		left.removeAll(before);
		return new TreeSet<>(left);
	}

	/**
	 * Deletes the directory and whatever is left in it. The context destroys this bean
	 * after its managers, which it registered first.
	 */
	@Override
	public void destroy() throws IOException {
		FileSystemUtils.deleteRecursively(this.path);
	}

	@Override
	public String toString() {
		return "TestSharedMemoryDirectory " + this.path;
	}

	/**
	 * Code under test.
	 */
	@FunctionalInterface
	public interface Action {

		/**
		 * Runs the code.
		 * @throws Exception anything it throws
		 */
		void run() throws Exception;

	}

}
