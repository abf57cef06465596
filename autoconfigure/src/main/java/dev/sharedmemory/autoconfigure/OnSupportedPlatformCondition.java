package dev.sharedmemory.autoconfigure;

import dev.sharedmemory.SharedMemoryDirectory;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches on a platform where the core library supports shared memory. Elsewhere the
 * auto-configuration backs off, so that an application developed on another system still
 * starts, and says why in the condition evaluation report ({@code --debug},
 * {@code /actuator/conditions}) as Spring Boot's own conditions do.
 */
class OnSupportedPlatformCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Shared memory platform");
		String platform = SharedMemoryDirectory.platform();
		if (SharedMemoryDirectory.isPlatformSupported()) {
			return ConditionOutcome.match(message.because("supported on " + platform));
		}
		return ConditionOutcome
			.noMatch(message.because("not supported on " + platform + ": shared memory needs Linux (/dev/shm)"));
	}

}
