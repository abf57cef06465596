package dev.sharedmemory.autoconfigure.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.sharedmemory.ManagedBlock;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.SharedMemoryAutoConfiguration;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.BlockDescriptor;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpointAutoConfiguration;
import dev.sharedmemory.autoconfigure.health.SharedMemoryHealthContributorAutoConfiguration;
import dev.sharedmemory.autoconfigure.health.SharedMemoryHealthIndicator;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetricsAutoConfiguration;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryServerMetrics;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryServerMetricsAutoConfiguration;
import dev.sharedmemory.protocol.ManagerAddress;
import dev.sharedmemory.protocol.ManagerServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint.ConfigurationPropertiesBeanDescriptor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link SharedMemoryServerAutoConfiguration} and what it brings to the
 * endpoint, health and metrics, with a real {@code python3} client.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedMemoryServerAutoConfigurationTests {

	private static final String AUTHKEY = "a-test-authkey-of-32-bytes-xxxxx";

	private static final String CLIENT = """
			import os, sys
			from multiprocessing import resource_tracker
			from multiprocessing.managers import SharedMemoryManager
			host, port = os.environ["SMM_ADDRESS"].rsplit(":", 1)
			smm = SharedMemoryManager(address=(host, int(port)), authkey=os.environ["SMM_AUTHKEY"].encode())
			smm.connect()
			shm = smm.SharedMemory(4096)
			sl = smm.ShareableList([1, "two"])
			# Handed over: the application, not this process's resource tracker, unlinks them.
			resource_tracker.unregister(shm._name, "shared_memory")
			resource_tracker.unregister(sl.shm._name, "shared_memory")
			print(shm.name, sl.shm.name)
			""";

	@TempDir
	Path directory;

	@RegisterExtension
	final ProtocolLog log = new ProtocolLog();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SharedMemoryAutoConfiguration.class,
				SharedMemoryEndpointAutoConfiguration.class, SharedMemoryHealthContributorAutoConfiguration.class,
				SharedMemoryMetricsAutoConfiguration.class, SharedMemoryServerAutoConfiguration.class,
				SharedMemoryServerMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("management.endpoints.web.exposure.include=sharedmemory",
				"shared-memory.reclaim-orphans=false");

	private ApplicationContextRunner enabled() {
		return this.contextRunner.withPropertyValues("shared-memory.server.enabled=true",
				"shared-memory.server.address=127.0.0.1:0", "shared-memory.server.authkey=" + AUTHKEY);
	}

	@Test
	void offByDefault() {
		this.contextRunner.run((context) -> assertThat(context).hasNotFailed()
			.hasSingleBean(SharedMemoryManager.class)
			.doesNotHaveBean(ManagerServer.class)
			.doesNotHaveBean(SharedMemoryServerLifecycle.class)
			.doesNotHaveBean(SharedMemoryServerMetrics.class));
	}

	@Test
	void enabledWithoutAnAuthkeyFailsNamingTheKey() {
		this.contextRunner.withPropertyValues("shared-memory.server.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(
						"shared-memory.server.authkey is required when shared-memory.server.enabled" + " is true"));
	}

	@Test
	void aShortAuthkeyFailsNamingTheKeyAndNeverShowsIt(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("shared-memory.server.enabled=true", "shared-memory.server.authkey=s3cr3t-short")
			.run((context) -> {
				assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("shared-memory.server.authkey must be at least 16 bytes long, not 12")
					.message()
					.doesNotContain("s3cr3t");
			});
		assertThat(output).doesNotContain("s3cr3t");
	}

	@Test
	void anInvalidAddressFailsNamingIt() {
		enabled().withPropertyValues("shared-memory.server.address=nowhere")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("address")
				.hasMessageContaining("Manager address 'nowhere' is neither host:port nor a socket path"));
	}

	@Test
	void refusesToStartOverAManagerInAnotherDirectorySayingWhy() {
		enabled().withPropertyValues("shared-memory.directory=" + this.directory)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("The manager server cannot start: its blocks are in " + this.directory)
				.hasMessageContaining("Python's clients create theirs in /dev/shm"));
	}

	@Test
	void configpropsMasksTheAuthkeyEvenWhereItShowsValues(CapturedOutput output) {
		enabled()
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					ConfigurationPropertiesReportEndpointAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=configprops,sharedmemory",
					"management.endpoint.configprops.show-values=always")
			.run((context) -> {
				ConfigurationPropertiesBeanDescriptor server = context
					.getBean(ConfigurationPropertiesReportEndpoint.class)
					.configurationProperties()
					.getContexts()
					.values()
					.iterator()
					.next()
					.getBeans()
					.values()
					.stream()
					.filter((bean) -> bean.getPrefix().equals("shared-memory.server"))
					.findFirst()
					.orElseThrow();
				assertThat(server.getProperties()).containsEntry("authkey", "******")
					.containsEntry("address", "127.0.0.1:0")
					.containsEntry("enabled", true);
			});
		assertThat(output).doesNotContain(AUTHKEY);
	}

	@Test
	void startsAfterTheManagerAndStopsBeforeIt() {
		SharedMemoryManager[] manager = new SharedMemoryManager[1];
		enabled().run((context) -> {
			manager[0] = context.getBean(SharedMemoryManager.class);
			ManagerServer server = context.getBean(ManagerServer.class);
			assertThat(server.isRunning()).isTrue();
			assertThat(context.getBean(SharedMemoryServerLifecycle.class).getPhase())
				.isEqualTo(SharedMemoryServerLifecycle.PHASE);
			context.stop();
			assertThat(server.isRunning()).isFalse();
			assertThat(manager[0].isRunning()).isTrue();
		});
		assertThat(manager[0].isRunning()).isFalse();
	}

	@Test
	void aPythonClientsBlocksAreListedCountedDeletableAndUnlinkedWhenTheContextCloses() throws Exception {
		String[] names = new String[2];
		enabled().run((context) -> {
			ManagerServer server = context.getBean(ManagerServer.class);
			List<String> created = runClient(server.address());
			names[0] = created.get(0);
			names[1] = created.get(1);

			List<BlockDescriptor> blocks = context.getBean(SharedMemoryEndpoint.class)
				.sharedMemory()
				.managers()
				.get("sharedMemoryManager")
				.blocks();
			assertThat(blocks).extracting(BlockDescriptor::name).containsExactly(names[0], names[1]);
			assertThat(blocks).allSatisfy((block) -> assertThat(block.origin()).startsWith("127.0.0.1:"));
			assertThat(blocks.get(0).size()).isEqualTo(4096);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("shared.memory.blocks").gauge().value()).isEqualTo(2);
			assertThat(registry.get("shared.memory.server.requests")
				.tag("method", "track_segment")
				.tag("outcome", "returned")
				.functionCounter()
				.count()).isEqualTo(2);
			assertThat(registry.get("shared.memory.server.requests")
				.tag("method", "dummy")
				.tag("outcome", "returned")
				.functionCounter()
				.count()).isEqualTo(1);
			assertThat(registry.get("shared.memory.server.connections")
				.tag("outcome", "accepted")
				.functionCounter()
				.count()).isEqualTo(3);
			Map<String, Object> details = context.getBean(SharedMemoryHealthIndicator.class).health(true).getDetails();
			assertThat(details).containsEntry("server",
					Map.of("listening", true, "address", server.address().toString()));

			assertThat(context.getBean(SharedMemoryEndpoint.class).unlink(names[0], null)).isNotNull();
			assertThat(exists(names[0])).isFalse();
			assertThat(exists(names[1])).isTrue();
		});
		assertThat(exists(names[1])).isFalse();
	}

	@Test
	void aWrongAuthkeyIsCountedAsSuch() {
		enabled().run((context) -> {
			ManagerServer server = context.getBean(ManagerServer.class);
			Process client = python(server.address(), "another-authkey-of-some-length", CLIENT);
			String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(client.waitFor(1, TimeUnit.MINUTES)).isTrue();
			assertThat(out).contains("AuthenticationError");
			assertThat(context.getBean(SharedMemoryManager.class).blocks()).isEmpty();
			await().untilAsserted(() -> assertThat(context.getBean(MeterRegistry.class)
				.get("shared.memory.server.connections")
				.tag("outcome", "authentication_failed")
				.functionCounter()
				.count()).isEqualTo(1));
			assertThat(this.log.warnings()).singleElement()
				.asString()
				.contains("refused a connection from 127.0.0.1:")
				.contains("wrong authkey");
		});
	}

	@Test
	void servesTheManagerThePropertyNamesAmongSeveral() {
		enabled().withUserConfiguration(TwoManagers.class)
			.withPropertyValues("shared-memory.server.manager=second")
			.run((context) -> {
				List<String> created = runClient(context.getBean(ManagerServer.class).address());
				SharedMemoryManager second = context.getBean("second", SharedMemoryManager.class);
				assertThat(second.blocks()).extracting(ManagedBlock::name).containsExactlyElementsOf(created);
				assertThat(context.getBean("first", SharedMemoryManager.class).blocks()).isEmpty();
			});
	}

	@Test
	void servesThePrimaryManagerAmongSeveral() {
		enabled().withUserConfiguration(TwoManagersOnePrimary.class).run((context) -> {
			List<String> created = runClient(context.getBean(ManagerServer.class).address());
			assertThat(context.getBean("first", SharedMemoryManager.class).blocks()).extracting(ManagedBlock::name)
				.containsExactlyElementsOf(created);
			assertThat(context.getBean("second", SharedMemoryManager.class).blocks()).isEmpty();
		});
	}

	@Test
	void severalManagersAndNoneChosenFailNamingTheBeansAndTheProperty() {
		enabled().withUserConfiguration(TwoManagers.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("cannot tell which SharedMemoryManager to serve")
				.hasMessageContaining("[first, second], none of them primary")
				.hasMessageContaining("Set shared-memory.server.manager to the name of the one to serve"));
	}

	@Test
	void aManagerNameThatIsNoManagerFailsNamingTheBeans() {
		enabled().withUserConfiguration(TwoManagers.class)
			.withPropertyValues("shared-memory.server.manager=third")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("shared-memory.server.manager is 'third', but no SharedMemoryManager bean has"
						+ " that name: the SharedMemoryManager beans are [first, second]"));
	}

	@Test
	void aContextStoppedAndStartedAgainServesAPythonClientAgain() {
		enabled().run((context) -> {
			ManagerServer server = context.getBean(ManagerServer.class);
			ManagerAddress address = server.address();
			List<String> before = runClient(address);
			context.stop();
			assertThat(server.isRunning()).isFalse();
			context.start();
			assertThat(server.isRunning()).isTrue();
			assertThat(server.address()).isEqualTo(address);
			List<String> after = runClient(address);
			assertThat(context.getBean(SharedMemoryManager.class).blocks()).extracting(ManagedBlock::name)
				.containsExactlyInAnyOrder(before.get(0), before.get(1), after.get(0), after.get(1));
		});
	}

	private static List<String> runClient(ManagerAddress address) throws Exception {
		Process client = python(address, AUTHKEY, CLIENT);
		String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(client.waitFor(1, TimeUnit.MINUTES)).isTrue();
		assertThat(client.exitValue()).as(out).isZero();
		return List.of(out.trim().split(" "));
	}

	private static Process python(ManagerAddress address, String authkey, String script) throws IOException {
		ProcessBuilder builder = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true);
		builder.environment().put("SMM_ADDRESS", address.toString());
		builder.environment().put("SMM_AUTHKEY", authkey);
		return builder.start();
	}

	private static boolean exists(String name) {
		return Files.exists(SharedMemoryDirectory.LINUX_SHM.resolve(name));
	}

	private static SharedMemoryManager managerInDevShm() {
		return SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(SharedMemoryDirectory.LINUX_SHM))
			.reclaimOrphans(false)
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoManagers {

		@Bean
		SharedMemoryManager first() {
			return managerInDevShm();
		}

		@Bean
		SharedMemoryManager second() {
			return managerInDevShm();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoManagersOnePrimary {

		@Bean
		@Primary
		SharedMemoryManager first() {
			return managerInDevShm();
		}

		@Bean
		SharedMemoryManager second() {
			return managerInDevShm();
		}

	}

}
