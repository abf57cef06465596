package dev.sharedmemory.autoconfigure.test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.ownership.OwnerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link AutoConfigureTestSharedMemory} and {@link TestSharedMemoryDirectory}.
 */
@SpringBootTest(classes = AutoConfigureTestSharedMemoryTests.Application.class)
@AutoConfigureTestSharedMemory
class AutoConfigureTestSharedMemoryTests {

	@Autowired
	private SharedMemoryManager manager;

	@Autowired
	private TestSharedMemoryDirectory sharedMemory;

	@Test
	void managerWorksInAPrivateDirectoryOutsideDevShm() {
		Path path = this.sharedMemory.path();
		assertThat(path).isDirectory().isNotEqualTo(SharedMemoryDirectory.LINUX_SHM);
		assertThat(path.startsWith(SharedMemoryDirectory.LINUX_SHM)).isFalse();
		assertThat(this.manager.directory().path()).isEqualTo(path);
		SharedMemory block = this.manager.sharedMemory(64);
		assertThat(path.resolve(block.name())).exists();
		assertThat(SharedMemoryDirectory.LINUX_SHM.resolve(block.name())).doesNotExist();
		this.manager.unlink(block.name());
	}

	@Test
	void namesTheBlocksTheCodeUnderTestLeftAndOnlyThose() throws Exception {
		SharedMemory before = this.manager.sharedMemory(64);
		List<String> created = new ArrayList<>();
		assertThat(this.sharedMemory.blocksLeftBy(() -> {
			created.add(this.manager.sharedMemory(32).name());
			this.manager.unlink(created.get(0));
		})).isEmpty();
		assertThat(this.sharedMemory.blocksLeftBy(() -> created.add(this.manager.sharedMemory(16).name())))
			.containsExactly(created.get(1));
		assertThat(this.sharedMemory.blockNames()).containsExactlyInAnyOrder(before.name(), created.get(1))
			.noneMatch(OwnerRecord::isOwnerFile);
		this.manager.unlink(before.name());
		this.manager.unlink(created.get(1));
		assertThat(this.sharedMemory.blockNames()).isEmpty();
	}

	@Test
	void namesTheBlocksLeftByCodeThatFailed() {
		List<String> created = new ArrayList<>();
		assertThatIllegalStateException().isThrownBy(() -> this.sharedMemory.blocksLeftBy(() -> {
			created.add(this.manager.sharedMemory(16).name());
			throw new IllegalStateException("Boom");
		}))
			.satisfies((ex) -> assertThat(ex.getSuppressed()).singleElement()
				.satisfies((left) -> assertThat(left).hasMessage("Shared memory blocks left behind: " + created)));
		this.manager.unlink(created.get(0));
	}

	@Test
	void directoryGoesAwayWithTheContextAfterItsManagerUnlinkedItsBlocks() {
		SpringApplication application = new SpringApplication(Application.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application
			.addInitializers((context) -> new TestSharedMemoryContextCustomizer().customizeContext(context, null));
		Path path;
		try (ConfigurableApplicationContext context = application.run()) {
			path = context.getBean(TestSharedMemoryDirectory.class).path();
			assertThat(path).isNotEqualTo(this.sharedMemory.path());
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			assertThat(manager.directory().path()).isEqualTo(path);
			assertThat(path.resolve(manager.sharedMemory(64).name())).exists();
		}
		assertThat(path).doesNotExist();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(SharedMemoryAutoConfiguration.class)
	static class Application {

	}

}
