package dev.sharedmemory.autoconfigure.health;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.sharedmemory.SharedMemoryDirectory;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.protocol.ManagerServer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.core.log.LogMessage;
import org.springframework.util.unit.DataSize;

/**
 * A {@link HealthIndicator} that checks the directory a {@link SharedMemoryManager}
 * creates its blocks in, and reports a status of {@link Status#DOWN} when it is missing,
 * not writable, or its usable space drops below a threshold. When the manager is served
 * to Python processes, the details say whether its server listens, and where.
 */
public class SharedMemoryHealthIndicator extends AbstractHealthIndicator {

	private static final Log logger = LogFactory.getLog(SharedMemoryHealthIndicator.class);

	private final SharedMemoryManager manager;

	private final DataSize threshold;

	private final @Nullable ManagerServer server;

	/**
	 * Creates a new {@code SharedMemoryHealthIndicator}.
	 * @param manager the manager whose directory and blocks to report
	 * @param threshold the minimum usable space the directory should have
	 */
	public SharedMemoryHealthIndicator(SharedMemoryManager manager, DataSize threshold) {
		this(manager, threshold, null);
	}

	/**
	 * Creates a new {@code SharedMemoryHealthIndicator} that reports the manager's server
	 * too.
	 * @param manager the manager whose directory and blocks to report
	 * @param threshold the minimum usable space the directory should have
	 * @param server the server through which Python processes use the manager, if any
	 */
	public SharedMemoryHealthIndicator(SharedMemoryManager manager, DataSize threshold,
			@Nullable ManagerServer server) {
		super("Shared memory health check failed");
		this.manager = manager;
		this.threshold = threshold;
		this.server = server;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) throws Exception {
		SharedMemoryDirectory directory = this.manager.directory();
		Path path = directory.path();
		boolean exists = Files.isDirectory(path);
		boolean writable = exists && Files.isWritable(path);
		long usable = directory.usableSpace();
		if (writable && usable >= this.threshold.toBytes()) {
			builder.up();
		}
		else {
			logger.warn(LogMessage
				.format("Shared memory directory '%s' unfit for new blocks. Exists: %b, writable: %b, usable: %d bytes "
						+ "(threshold: %d bytes)", path, exists, writable, usable, this.threshold.toBytes()));
			builder.down();
		}
		builder.withDetail("directory", path.toString())
			.withDetail("exists", exists)
			.withDetail("writable", writable)
			.withDetail("total", directory.totalSpace())
			.withDetail("usable", usable)
			.withDetail("threshold", this.threshold.toBytes())
			.withDetail("blocks", this.manager.blockCount())
			.withDetail("bytes", this.manager.totalBytes());
		if (this.server != null) {
			builder.withDetail("server", serverDetails(this.server));
		}
	}

	private static Map<String, Object> serverDetails(ManagerServer server) {
		Map<String, Object> details = new LinkedHashMap<>();
		boolean listening = server.isRunning();
		details.put("listening", listening);
		if (listening) {
			details.put("address", server.address().toString());
		}
		return details;
	}

}
