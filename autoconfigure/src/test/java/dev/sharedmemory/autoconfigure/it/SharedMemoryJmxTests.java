package dev.sharedmemory.autoconfigure.it;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.reliability.DeadOwner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests the endpoint over JMX, when the application exposes it there: its read operations
 * and both its write operations (unlink, and reclaim orphans, beside the web tests of
 * {@code POST} in {@link SharedMemoryHttpTests}).
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE,
		properties = { "spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=sharedmemory" })
@DirtiesContext
class SharedMemoryJmxTests {

	@TempDir
	static Path directory;

	@DynamicPropertySource
	static void sharedMemoryDirectory(DynamicPropertyRegistry registry) {
		registry.add("shared-memory.directory", directory::toString);
	}

	// The block's name, and the bean name of the manager to look in (null: every
	// manager).
	private static final String[] BLOCK_SIGNATURE = { String.class.getName(), String.class.getName() };

	private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

	@Autowired
	private SharedMemoryManager manager;

	@Test
	@SuppressWarnings("unchecked")
	void endpointListsDescribesAndUnlinksOverJmx() throws Exception {
		ObjectName name = endpoint();
		assertThat(this.server.isRegistered(name)).isTrue();
		SharedMemory block = this.manager.sharedMemory(256);
		Map<String, Object> managers = (Map<String, Object>) ((Map<String, Object>) this.server.invoke(name,
				"sharedMemory", new Object[0], new String[0]))
			.get("managers");
		assertThat(managers).containsOnlyKeys("sharedMemoryManager");
		Map<String, Object> all = (Map<String, Object>) managers.get("sharedMemoryManager");
		assertThat(all).containsEntry("count", 1).containsEntry("totalBytes", 256L);
		assertThat((List<Map<String, Object>>) all.get("blocks")).singleElement()
			.satisfies((entry) -> assertThat(entry).containsEntry("name", block.name()));
		Map<String, Object> one = (Map<String, Object>) this.server.invoke(name, "block",
				new Object[] { block.name(), null }, BLOCK_SIGNATURE);
		assertThat(one).containsEntry("kind", "SharedMemory")
			.containsEntry("size", 256L)
			.containsEntry("manager", "sharedMemoryManager");
		Map<String, Object> unlinked = (Map<String, Object>) this.server.invoke(name, "unlink",
				new Object[] { block.name(), null }, BLOCK_SIGNATURE);
		assertThat(unlinked).containsEntry("name", block.name());
		assertThat(directory.resolve(block.name())).doesNotExist();
		assertThat(this.server.invoke(name, "unlink", new Object[] { block.name(), null }, BLOCK_SIGNATURE)).isNull();
	}

	@Test
	@SuppressWarnings("unchecked")
	void reclaimOrphansOverJmxUnlinksOnlyWhatADeadManagerLeft() throws Exception {
		List<String> orphans = DeadOwner.leaveBlocks(directory, "jmx-orphan-", 4096, 100);
		SharedMemory own = this.manager.sharedMemory(64);
		try (SharedMemory outsider = this.manager.directory().create("jmx-outsider", 64)) {
			Map<String, Object> reclaimed = reclaimOrphans();
			assertThat((List<Map<String, Object>>) reclaimed.get("blocks"))
				.extracting((block) -> block.get("name"), (block) -> block.get("ownerPid"))
				.containsExactlyInAnyOrder(tuple(orphans.get(0), DeadOwner.PID), tuple(orphans.get(1), DeadOwner.PID));
			assertThat(reclaimed).containsEntry("records", 1);
			orphans.forEach((orphan) -> assertThat(directory.resolve(orphan)).doesNotExist());
			assertThat(directory.resolve(own.name())).exists();
			assertThat(directory.resolve("jmx-outsider")).exists();
			assertThat((List<?>) reclaimOrphans().get("blocks")).isEmpty();
		}
		finally {
			this.manager.directory().unlink("jmx-outsider");
			this.manager.unlink(own.name());
		}
	}

	/**
	 * Invokes the endpoint's write operation and returns what it reclaimed in the
	 * manager's directory.
	 */
	@SuppressWarnings("unchecked")
	private Map<String, Object> reclaimOrphans() throws Exception {
		Map<String, Object> response = (Map<String, Object>) this.server.invoke(endpoint(), "reclaimOrphans",
				new Object[0], new String[0]);
		Map<String, Object> directories = (Map<String, Object>) response.get("directories");
		assertThat(directories).containsOnlyKeys(directory.toAbsolutePath().toString());
		return (Map<String, Object>) directories.get(directory.toAbsolutePath().toString());
	}

	private static ObjectName endpoint() throws MalformedObjectNameException {
		return new ObjectName("org.springframework.boot:type=Endpoint,name=Sharedmemory");
	}

}
