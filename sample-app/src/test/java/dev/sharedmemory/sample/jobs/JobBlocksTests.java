package dev.sharedmemory.sample.jobs;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.autoconfigure.test.AutoConfigureTestSharedMemory;
import dev.sharedmemory.autoconfigure.test.TestSharedMemoryDirectory;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The blocks of the job service, in a shared memory directory of the test's own: a job's
 * two blocks are there while it lives and gone once it is deleted, and a refused job
 * leaves none. No worker runs: CPython attaches in {@code /dev/shm} only, so the tests
 * that run one use the real directory.
 */
@SpringBootTest(properties = { "sample.worker.enabled=false", "sample.jobs.max-jobs=1", "sample.jobs.max-readings=4" })
@AutoConfigureTestSharedMemory
class JobBlocksTests {

	@Autowired
	private JobService jobs;

	@Autowired
	private TestSharedMemoryDirectory sharedMemory;

	@Test
	void aJobHoldsTwoBlocksInTheTestsDirectoryUntilItIsDeleted() throws Exception {
		assertThat(this.sharedMemory.blocksLeftBy(() -> {
			JobView job = this.jobs.submit(new double[] { 1.0, 2.0 });
			assertThat(this.sharedMemory.blockNames()).containsExactlyInAnyOrder(job.dataBlock(), job.statusBlock());
			assertThat(SharedMemoryDirectory.LINUX_SHM.resolve(job.dataBlock())).doesNotExist();
			this.jobs.delete(Long.toString(job.id()));
		})).isEmpty();
	}

	@Test
	void aRefusedJobLeavesNoBlock() throws Exception {
		JobView kept = this.jobs.submit(new double[] { 1.0 });
		try {
			assertThat(this.sharedMemory.blocksLeftBy(() -> {
				assertThatExceptionOfType(JobException.class).isThrownBy(() -> this.jobs.submit(new double[] { 2.0 }))
					.withMessageContaining("sample.jobs.max-jobs");
				assertThatExceptionOfType(JobException.class)
					.isThrownBy(() -> this.jobs.submit(new double[] { 1, 2, 3, 4, 5 }));
				assertThatExceptionOfType(JobException.class)
					.isThrownBy(() -> this.jobs.submit(new double[] { Double.POSITIVE_INFINITY }));
			})).isEmpty();
		}
		finally {
			this.jobs.delete(Long.toString(kept.id()));
		}
		assertThat(this.sharedMemory.blockNames()).isEmpty();
	}

}
