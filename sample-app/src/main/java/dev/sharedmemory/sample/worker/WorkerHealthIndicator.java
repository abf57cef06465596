package dev.sharedmemory.sample.worker;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * Reports the supervised worker: up while a worker process runs, down while it is being
 * restarted.
 */
@Component
@ConditionalOnBooleanProperty(name = "sample.worker.enabled", matchIfMissing = true)
public class WorkerHealthIndicator extends AbstractHealthIndicator {

	private final WorkerSupervisor supervisor;

	/**
	 * Creates an indicator.
	 * @param supervisor the supervisor of the worker
	 */
	public WorkerHealthIndicator(WorkerSupervisor supervisor) {
		super("Worker health check failed");
		this.supervisor = supervisor;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		WorkerState state = this.supervisor.state();
		if (state.pid() != null) {
			builder.up().withDetail("pid", state.pid());
		}
		else {
			builder.down();
		}
		builder.withDetail("restarts", state.restarts()).withDetail("command", String.join(" ", state.command()));
		if (state.lastExitCode() != null) {
			builder.withDetail("lastExitCode", state.lastExitCode());
		}
	}

}
