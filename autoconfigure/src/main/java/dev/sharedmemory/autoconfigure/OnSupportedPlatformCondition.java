package dev.sharedmemory.autoconfigure;

import dev.sharedmemory.SharedMemoryDirectory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches on a platform where the core library supports shared memory. Elsewhere the auto-configuration backs off
 * and says why in the log, so that an application developed on another system still starts.
 */
// Evaluated after the property conditions: with shared-memory.enabled=false there is nothing to explain.
@Order(Ordered.LOWEST_PRECEDENCE)
class OnSupportedPlatformCondition extends SpringBootCondition {

	private static final Log logger = LogFactory.getLog(SharedMemoryAutoConfiguration.class);

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Shared memory platform");
		String platform = SharedMemoryDirectory.platform();
		if (SharedMemoryDirectory.isPlatformSupported()) {
			return ConditionOutcome.match(message.because("supported on " + platform));
		}
		ConditionOutcome outcome = ConditionOutcome
			.noMatch(message.because("not supported on " + platform + ": shared memory needs Linux (/dev/shm)"));
		logger.info("Shared memory auto-configuration backs off. " + outcome.getMessage());
		return outcome;
	}

}
