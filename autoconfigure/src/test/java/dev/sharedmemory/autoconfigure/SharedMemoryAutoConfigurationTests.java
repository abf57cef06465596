package dev.sharedmemory.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpointAutoConfiguration;
import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpointWebExtension;
import dev.sharedmemory.autoconfigure.health.SharedMemoryHealthContributorAutoConfiguration;
import dev.sharedmemory.autoconfigure.health.SharedMemoryHealthIndicator;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryBlockMetrics;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetrics;
import dev.sharedmemory.autoconfigure.metrics.SharedMemoryMetricsAutoConfiguration;
import dev.sharedmemory.ownership.OwnerRecord;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport;
import org.springframework.boot.autoconfigure.condition.ConditionEvaluationReport.ConditionAndOutcomes;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link SharedMemoryAutoConfiguration} and the conditions of the
 * auto-configurations that follow it.
 */
@ExtendWith(OutputCaptureExtension.class)
class SharedMemoryAutoConfigurationTests {

	@TempDir
	Path directory;

	@RegisterExtension
	final InfoLogging infoLogging = new InfoLogging("dev.sharedmemory.autoconfigure");

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SharedMemoryAutoConfiguration.class,
				SharedMemoryEndpointAutoConfiguration.class, SharedMemoryHealthContributorAutoConfiguration.class,
				SharedMemoryMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("management.endpoints.web.exposure.include=sharedmemory");

	private ApplicationContextRunner inDirectory() {
		return this.contextRunner.withPropertyValues("shared-memory.directory=" + this.directory);
	}

	@Test
	void defaultsGiveARunningManagerInDevShmThatUnlinksOnShutdown() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(SharedMemoryManager.class)
				.hasSingleBean(SharedMemoryEndpoint.class)
				.hasSingleBean(SharedMemoryEndpointWebExtension.class)
				.hasSingleBean(SharedMemoryHealthIndicator.class)
				.hasSingleBean(SharedMemoryMetrics.class)
				.doesNotHaveBean(SharedMemoryBlockMetrics.class);
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			assertThat(manager.isRunning()).isTrue();
			assertThat(manager.directory().path()).isEqualTo(SharedMemoryDirectory.LINUX_SHM);
			assertThat(manager.unlinksOnShutdown()).isTrue();
		});
	}

	@Test
	void propertiesSetTheDirectoryAndWhetherBlocksOutliveTheApplication() {
		inDirectory().withPropertyValues("shared-memory.unlink-on-shutdown=false").run((context) -> {
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			assertThat(manager.directory().path()).isEqualTo(this.directory.toAbsolutePath());
			assertThat(manager.unlinksOnShutdown()).isFalse();
		});
	}

	@Test
	void userDefinedManagerWinsAndRunsWithTheContext() {
		inDirectory().withUserConfiguration(UserManagerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(SharedMemoryManager.class).hasSingleBean(SharedMemoryEndpoint.class);
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			assertThat(manager).isSameAs(context.getBean("userManager"));
			assertThat(manager.unlinksOnShutdown()).isFalse();
			// Not started by its definition: the auto-configuration did it, as soon as it
			// was made.
			assertThat(manager.isRunning()).isTrue();
		});
	}

	@Test
	void disabledByPropertyBacksOffEntirely() {
		inDirectory().withPropertyValues("shared-memory.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryEndpoint.class)
				.doesNotHaveBean(SharedMemoryHealthIndicator.class)
				.doesNotHaveBean(SharedMemoryMetrics.class);
		});
	}

	@Test
	void disabledByPropertyLeavesAUserDefinedManagerAlone() {
		inDirectory().withPropertyValues("shared-memory.enabled=false")
			.withUserConfiguration(UserManagerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(SharedMemoryManager.class)
					.doesNotHaveBean(SharedMemoryEndpoint.class)
					.doesNotHaveBean(SharedMemoryHealthIndicator.class)
					.doesNotHaveBean(SharedMemoryMetrics.class);
				assertThat(context.getBean(SharedMemoryManager.class).isRunning()).isFalse();
			});
	}

	@Test
	void unsupportedPlatformBacksOffAndSaysWhyInTheConditionReportOnly(CapturedOutput output) {
		String osName = System.getProperty("os.name");
		System.setProperty("os.name", "Mac OS X");
		try {
			inDirectory().run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(SharedMemoryManager.class)
					.doesNotHaveBean(SharedMemoryEndpoint.class)
					.doesNotHaveBean(SharedMemoryHealthIndicator.class)
					.doesNotHaveBean(SharedMemoryMetrics.class);
				ConditionAndOutcomes outcomes = ConditionEvaluationReport.get(context.getBeanFactory())
					.getConditionAndOutcomesBySource()
					.get(SharedMemoryAutoConfiguration.class.getName());
				assertThat(outcomes.isFullMatch()).isFalse();
				assertThat(outcomes).anySatisfy(
						(outcome) -> assertThat(outcome.getOutcome().getMessage()).contains("not supported on Mac OS X")
							.contains("needs Linux"));
			});
		}
		finally {
			System.setProperty("os.name", osName);
		}
		assertThat(output).doesNotContain("Mac OS X");
	}

	@Test
	void directoryDefaultsToTheJvmDefaultAndSaysNothing(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			Path jvmDefault = SharedMemoryDirectory.defaultDirectory().path();
			assertThat(context.getBean(SharedMemoryProperties.class).getDirectory()).isEqualTo(jvmDefault.toFile());
			assertThat(context.getBean(SharedMemoryManager.class).directory().path()).isEqualTo(jvmDefault);
		});
		assertThat(output).doesNotContain("static SharedMemory and ShareableList factories");
	}

	@Test
	void directoryDefaultsToTheSystemPropertyThatMovesTheStaticFactories() {
		String previous = System.getProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY);
		System.setProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY, this.directory.toString());
		try {
			this.contextRunner.run((context) -> {
				assertThat(context.getBean(SharedMemoryProperties.class).getDirectory())
					.isEqualTo(this.directory.toFile());
				assertThat(context.getBean(SharedMemoryManager.class).directory().path())
					.isEqualTo(this.directory.toAbsolutePath());
			});
		}
		finally {
			if (previous != null) {
				System.setProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY, previous);
			}
			else {
				System.clearProperty(SharedMemoryDirectory.DIRECTORY_PROPERTY);
			}
		}
	}

	@Test
	void directoryOtherThanTheJvmDefaultIsLoggedOnce(CapturedOutput output) {
		this.infoLogging.enable();
		inDirectory().run((context) -> assertThat(context).hasSingleBean(SharedMemoryManager.class));
		String line = "Shared memory manager uses " + this.directory + " (shared-memory.directory); the static "
				+ "SharedMemory and ShareableList factories use the JVM's default directory "
				+ SharedMemoryDirectory.defaultDirectory().path() + " and are not tracked";
		assertThat(output.getAll().split(Pattern.quote(line), -1)).hasSize(2);
	}

	/**
	 * As in an application, the auto-configurations are imported through the selector
	 * that skips those whose classes are missing before their conditions are even loaded.
	 */
	private ApplicationContextRunner imported() {
		return new ApplicationContextRunner().withUserConfiguration(ImportedConfiguration.class)
			.withPropertyValues("shared-memory.directory=" + this.directory,
					"management.endpoints.web.exposure.include=sharedmemory");
	}

	@Test
	void importedWithEverythingOnTheClassPath() {
		imported().run((context) -> assertThat(context).hasSingleBean(SharedMemoryManager.class)
			.hasSingleBean(SharedMemoryEndpoint.class)
			.hasSingleBean(SharedMemoryHealthIndicator.class)
			.hasSingleBean(SharedMemoryMetrics.class));
	}

	@Test
	void withoutActuatorTheEndpointBacksOff() {
		imported().withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryEndpoint.class));
	}

	@Test
	void withoutHealthTheHealthIndicatorBacksOff() {
		imported().withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryHealthIndicator.class));
	}

	@Test
	void withoutMicrometerTheMetricsBackOff() {
		imported().withClassLoader(new FilteredClassLoader("io.micrometer"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryMetrics.class));
	}

	@Test
	void withoutMeterRegistryTheMetricsBackOff() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SharedMemoryAutoConfiguration.class,
					SharedMemoryMetricsAutoConfiguration.class))
			.withPropertyValues("shared-memory.directory=" + this.directory)
			.run((context) -> assertThat(context).hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryMetrics.class));
	}

	@Test
	void directorySpaceIsMicrometersDiskSpaceTaggedWithItsPath() {
		inDirectory().run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(SharedMemoryMetrics.class).bindTo(registry);
			String path = this.directory.toAbsolutePath().toString();
			Gauge free = registry.get("disk.free").tag("path", path).gauge();
			Gauge total = registry.get("disk.total").tag("path", path).gauge();
			assertThat(free.getId().getBaseUnit()).isEqualTo("bytes");
			assertThat(free.value()).isPositive().isLessThanOrEqualTo(total.value());
		});
	}

	@Test
	void perBlockMetricsOnlyWhenAskedFor() {
		inDirectory().withPropertyValues("shared-memory.metrics.per-block=true")
			.run((context) -> assertThat(context).hasSingleBean(SharedMemoryMetrics.class)
				.hasSingleBean(SharedMemoryBlockMetrics.class));
	}

	@Test
	void endpointNeedsToBeExposed() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SharedMemoryAutoConfiguration.class,
					SharedMemoryEndpointAutoConfiguration.class))
			.withPropertyValues("shared-memory.directory=" + this.directory)
			.run((context) -> assertThat(context).hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryEndpoint.class));
	}

	@Test
	void endpointExposedOverJmxOnlyHasNoWebExtension() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SharedMemoryAutoConfiguration.class,
					SharedMemoryEndpointAutoConfiguration.class))
			.withPropertyValues("shared-memory.directory=" + this.directory, "spring.jmx.enabled=true",
					"management.endpoints.jmx.exposure.include=sharedmemory")
			.run((context) -> assertThat(context).hasSingleBean(SharedMemoryEndpoint.class)
				.doesNotHaveBean(SharedMemoryEndpointWebExtension.class));
	}

	@Test
	void healthIndicatorCanBeDisabled() {
		inDirectory().withPropertyValues("management.health.sharedmemory.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(SharedMemoryManager.class)
				.doesNotHaveBean(SharedMemoryHealthIndicator.class));
	}

	@Test
	void healthThresholdIsUnderManagementHealth() {
		inDirectory().withPropertyValues("management.health.sharedmemory.threshold=3MB")
			.run((context) -> assertThat(threshold(context)).isEqualTo(DataSize.ofMegabytes(3)));
	}

	@Test
	void healthThresholdDefaultsToTenMegabytes() {
		inDirectory().run((context) -> assertThat(threshold(context)).isEqualTo(DataSize.ofMegabytes(10)));
	}

	@Test
	void deprecatedMinFreeIsHonouredWhenItsReplacementIsNotSet() {
		inDirectory().withPropertyValues("shared-memory.health.min-free=2MB")
			.run((context) -> assertThat(threshold(context)).isEqualTo(DataSize.ofMegabytes(2)));
	}

	@Test
	void thresholdWinsOverTheDeprecatedMinFree() {
		inDirectory()
			.withPropertyValues("shared-memory.health.min-free=2MB", "management.health.sharedmemory.threshold=3MB")
			.run((context) -> assertThat(threshold(context)).isEqualTo(DataSize.ofMegabytes(3)));
	}

	private static DataSize threshold(AssertableApplicationContext context) {
		SharedMemoryHealthIndicator indicator = context.getBean(SharedMemoryHealthIndicator.class);
		return DataSize.ofBytes((long) indicator.health(true).getDetails().get("threshold"));
	}

	@Test
	void negativeThresholdFailsNamingTheKey() {
		assertStartupFailsNaming("management.health.sharedmemory.threshold=-1MB", "'management.health.sharedmemory'",
				"'threshold'", "rejected value [-1048576B]", "must be greater than or equal to 0");
	}

	@Test
	void negativeMinFreeFailsNamingTheKey() {
		assertStartupFailsNaming("shared-memory.health.min-free=-1MB", "'shared-memory'", "'health.minFree'",
				"rejected value [-1048576B]", "must be greater than or equal to 0");
	}

	@Test
	void unreadableMinFreeFailsNamingTheKey() {
		assertStartupFailsNaming("shared-memory.health.min-free=plenty", "shared-memory.health.min-free");
	}

	@Test
	void invalidEnabledFailsNamingTheKey() {
		assertStartupFailsNaming("shared-memory.enabled=maybe", "shared-memory.enabled");
	}

	@Test
	void invalidUnlinkOnShutdownFailsNamingTheKey() {
		assertStartupFailsNaming("shared-memory.unlink-on-shutdown=sometimes", "shared-memory.unlink-on-shutdown");
	}

	@Test
	void zeroPerBlockRefreshFailsNamingTheKey() {
		assertStartupFailsNaming("shared-memory.metrics.per-block-refresh=0s", "'shared-memory'",
				"'metrics.perBlockRefresh'", "rejected value [PT0S]", "must be positive");
	}

	@Test
	void applicationReportsAnInvalidValueWithItsKey(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MinimalApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> application
			.run("--shared-memory.directory=" + this.directory, "--shared-memory.health.min-free=-1MB"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: shared-memory.health.minFree")
			.contains("Value: \"-1048576B\"")
			.contains("Reason: must be greater than or equal to 0");
	}

	private void assertStartupFailsNaming(String property, String... expected) {
		inDirectory().withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(expected);
		});
	}

	private static String messages(Throwable failure) {
		List<String> messages = new ArrayList<>();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.add(cause.getMessage());
		}
		return String.join("\n", messages);
	}

	@Test
	void closingTheContextUnlinksEveryManagedBlockButNoOther(CapturedOutput output) {
		this.infoLogging.enable();
		SharedMemoryDirectory shm = SharedMemoryDirectory.of(this.directory);
		try (SharedMemory outsider = shm.create("outsider", 64)) {
			List<String> names = new ArrayList<>();
			inDirectory().run((context) -> {
				SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
				names.add(manager.sharedMemory(128).name());
				names.add(manager.sharedMemory(4096).name());
				names.add(manager.shareableList(List.of("howdy", 42L)).shm().name());
				assertThat(names).allSatisfy((name) -> assertThat(this.directory.resolve(name)).exists());
			});
			assertThat(names).hasSize(3).allSatisfy((name) -> assertThat(this.directory.resolve(name)).doesNotExist());
			assertThat(this.directory.resolve("outsider")).exists();
			assertThat(output)
				.contains("Unlinking 3 shared memory block(s) in " + this.directory + " (sharedMemoryManager)");
		}
		finally {
			shm.unlink("outsider");
		}
	}

	@Test
	void closingTheContextLeavesBlocksWhenToldTo(CapturedOutput output) {
		this.infoLogging.enable();
		List<String> names = new ArrayList<>();
		inDirectory().withPropertyValues("shared-memory.unlink-on-shutdown=false")
			.run((context) -> names.add(context.getBean(SharedMemoryManager.class).sharedMemory(64).name()));
		Path block = this.directory.resolve(names.get(0));
		assertThat(block).exists();
		assertThat(output).contains("Leaving 1 shared memory block(s) in " + this.directory + " (sharedMemoryManager)");
		SharedMemoryDirectory.of(this.directory).unlink(names.get(0));
	}

	@Test
	void closingTheContextUnlinksBlocksInDevShm() {
		List<String> names = new ArrayList<>();
		this.contextRunner.run((context) -> {
			SharedMemory block = context.getBean(SharedMemoryManager.class).sharedMemory(64);
			names.add(block.name());
			assertThat(SharedMemoryDirectory.LINUX_SHM.resolve(block.name())).exists();
		});
		assertThat(SharedMemoryDirectory.LINUX_SHM.resolve(names.get(0))).doesNotExist();
	}

	@Test
	void blocksOutliveTheWebServerAndEveryOtherLifecycleComponent() {
		List<String> seen = new ArrayList<>();
		inDirectory().withUserConfiguration(LifecycleProbeConfiguration.class).run((context) -> {
			LifecycleProbes probes = context.getBean(LifecycleProbes.class);
			probes.block = context.getBean(SharedMemoryManager.class).sharedMemory(64);
			probes.directory = this.directory;
			probes.seen = seen;
		});
		assertThat(seen).containsExactlyInAnyOrder("default phase: block exists",
				"graceful shutdown phase: block exists", "web server stop phase: block exists",
				"phase 0: block exists");
		assertThat(this.directory).isEmptyDirectory();
	}

	@Test
	void contextThatFailsToStartUnlinksTheBlocksCreatedSoFar() {
		inDirectory().withUserConfiguration(FailingConfiguration.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasRootCauseMessage("Boom");
		});
		assertThat(this.directory).isEmptyDirectory();
	}

	@Test
	void stoppingPausingOrRestartingTheContextKeepsTheBlocksAndTheOwnerRecord() {
		inDirectory().withUserConfiguration(PriceBoardConfiguration.class).run((context) -> {
			SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
			PriceBoard board = context.getBean(PriceBoard.class);
			board.publish(1L);
			context.pause();
			assertBoardWorks(manager, board, 2L);
			context.restart();
			assertBoardWorks(manager, board, 3L);
			context.stop();
			assertBoardWorks(manager, board, 4L);
			context.start();
			assertBoardWorks(manager, board, 5L);
			assertThat(this.directory)
				.isDirectoryContaining((file) -> file.getFileName().toString().startsWith(OwnerRecord.FILE_PREFIX));
		});
		assertThat(this.directory).isEmptyDirectory();
	}

	private void assertBoardWorks(SharedMemoryManager manager, PriceBoard board, long price) {
		assertThat(manager.isRunning()).isTrue();
		assertThat(manager.block(board.blockName())).isPresent();
		assertThat(this.directory.resolve(board.blockName())).exists();
		board.publish(price);
		assertThat(board.price()).isEqualTo(price);
	}

	@Test
	void aBeanThatDependsOnTheManagerFindsItsBlockWhenItIsDestroyed() {
		List<String> seen = new ArrayList<>();
		inDirectory().withUserConfiguration(PriceBoardConfiguration.class)
			.run((context) -> context.getBean(PriceBoard.class).closing = (board) -> {
				board.publish(42L);
				seen.add(board.price() + " in " + (Files.exists(this.directory.resolve(board.blockName()))
						? "a block that exists" : "a block that is gone"));
			});
		assertThat(seen).containsExactly("42 in a block that exists");
		assertThat(this.directory).isEmptyDirectory();
	}

	@Test
	void severalManagersAreEachRunAndCoveredByTheEndpointHealthAndMetrics(CapturedOutput output) {
		this.infoLogging.enable();
		inDirectory().withUserConfiguration(TwoManagersConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed().getBeans(SharedMemoryManager.class).hasSize(2);
			SharedMemoryManager first = context.getBean("firstManager", SharedMemoryManager.class);
			SharedMemoryManager second = context.getBean("secondManager", SharedMemoryManager.class);
			assertThat(first.isRunning()).isTrue();
			assertThat(second.isRunning()).isTrue();
			SharedMemory block = second.sharedMemory(64);
			first.sharedMemory(32);

			SharedMemoryEndpoint endpoint = context.getBean(SharedMemoryEndpoint.class);
			assertThat(endpoint.sharedMemory().managers()).containsOnlyKeys("firstManager", "secondManager");
			assertThat(endpoint.block(block.name(), null).manager()).isEqualTo("secondManager");

			HealthContributor health = context.getBean("sharedMemoryHealthContributor", HealthContributor.class);
			assertThat(health).isInstanceOf(CompositeHealthContributor.class);
			CompositeHealthContributor composite = (CompositeHealthContributor) health;
			assertThat(composite.stream().map(HealthContributors.Entry::name)).containsExactlyInAnyOrder("firstManager",
					"secondManager");
			SharedMemoryHealthIndicator secondHealth = (SharedMemoryHealthIndicator) composite
				.getContributor("secondManager");
			assertThat(secondHealth.health(true).getDetails()).containsEntry("blocks", 1)
				.containsEntry("directory", this.directory.resolve("second").toString());

			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(SharedMemoryMetrics.class).bindTo(registry);
			assertThat(registry.get("shared.memory.blocks").tag("manager", "firstManager").gauge().value())
				.isEqualTo(1);
			assertThat(registry.get("shared.memory.size").tag("manager", "secondManager").gauge().value())
				.isEqualTo(64);
		});
		assertThat(output).contains(
				"Unlinking 1 shared memory block(s) in " + this.directory.resolve("first") + " (firstManager)",
				"Unlinking 1 shared memory block(s) in " + this.directory.resolve("second") + " (secondManager)");
		assertThat(this.directory.resolve("first")).isEmptyDirectory();
		assertThat(this.directory.resolve("second")).isEmptyDirectory();
	}

	@Test
	void oneManagerHasItsHealthIndicatorOnItsOwn() {
		inDirectory().run((context) -> assertThat(context.getBean("sharedMemoryHealthContributor"))
			.isInstanceOf(SharedMemoryHealthIndicator.class));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SharedMemoryAutoConfiguration.class, SharedMemoryEndpointAutoConfiguration.class,
			SharedMemoryHealthContributorAutoConfiguration.class, SharedMemoryMetricsAutoConfiguration.class })
	static class ImportedConfiguration {

		@Bean
		SimpleMeterRegistry simpleMeterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(SharedMemoryAutoConfiguration.class)
	static class MinimalApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserManagerConfiguration {

		@Bean
		SharedMemoryManager userManager(Environment environment) {
			Path path = Path.of(environment.getRequiredProperty("shared-memory.directory"));
			return SharedMemoryManager.builder()
				.directory(SharedMemoryDirectory.of(path))
				.unlinkOnShutdown(false)
				.build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoManagersConfiguration {

		@Bean
		SharedMemoryManager firstManager(Environment environment) throws IOException {
			return manager(environment, "first");
		}

		@Bean
		SharedMemoryManager secondManager(Environment environment) throws IOException {
			return manager(environment, "second");
		}

		private static SharedMemoryManager manager(Environment environment, String name) throws IOException {
			Path path = Path.of(environment.getRequiredProperty("shared-memory.directory")).resolve(name);
			Files.createDirectories(path);
			return SharedMemoryManager.builder().directory(SharedMemoryDirectory.of(path)).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PriceBoardConfiguration {

		@Bean
		PriceBoard priceBoard(SharedMemoryManager sharedMemory) {
			return new PriceBoard(sharedMemory);
		}

	}

	/**
	 * The README's example: a bean that creates its block in its constructor and uses it
	 * for as long as it lives.
	 */
	static class PriceBoard implements DisposableBean {

		private final SharedMemory prices;

		volatile Consumer<PriceBoard> closing = (board) -> {
		};

		PriceBoard(SharedMemoryManager sharedMemory) {
			this.prices = sharedMemory.sharedMemory(8 * 1024);
		}

		String blockName() {
			return this.prices.name();
		}

		void publish(long price) {
			this.prices.buf().putLong(0, price);
		}

		long price() {
			return this.prices.buf().getLong(0);
		}

		@Override
		public void destroy() {
			this.closing.accept(this);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingConfiguration {

		@Bean
		String blockName(SharedMemoryManager manager) {
			return manager.sharedMemory(64).name();
		}

		@Bean
		Object failing(String blockName) {
			throw new IllegalStateException("Boom");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LifecycleProbeConfiguration {

		@Bean
		LifecycleProbes lifecycleProbes() {
			return new LifecycleProbes();
		}

		@Bean
		LifecycleProbe defaultPhaseProbe(LifecycleProbes probes) {
			return new LifecycleProbe("default phase", SmartLifecycle.DEFAULT_PHASE, probes);
		}

		@Bean
		LifecycleProbe gracefulShutdownProbe(LifecycleProbes probes) {
			return new LifecycleProbe("graceful shutdown phase", WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE,
					probes);
		}

		@Bean
		LifecycleProbe webServerStopProbe(LifecycleProbes probes) {
			return new LifecycleProbe("web server stop phase", WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE,
					probes);
		}

		@Bean
		LifecycleProbe phaseZeroProbe(LifecycleProbes probes) {
			return new LifecycleProbe("phase 0", 0, probes);
		}

	}

	static class LifecycleProbes {

		volatile SharedMemory block;

		volatile Path directory;

		volatile List<String> seen;

	}

	/**
	 * Stands for a component that uses a block until it stops, as the web server does
	 * until it has drained.
	 */
	static class LifecycleProbe implements SmartLifecycle {

		private final String label;

		private final int phase;

		private final LifecycleProbes probes;

		private volatile boolean running;

		LifecycleProbe(String label, int phase, LifecycleProbes probes) {
			this.label = label;
			this.phase = phase;
			this.probes = probes;
		}

		@Override
		public void start() {
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
			boolean exists = Files.exists(this.probes.directory.resolve(this.probes.block.name()));
			// Writing proves the mapping is still open, not only the name.
			this.probes.block.buf().put(0, (byte) 1);
			this.probes.seen.add(this.label + (exists ? ": block exists" : ": block is gone"));
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return this.phase;
		}

	}

}
