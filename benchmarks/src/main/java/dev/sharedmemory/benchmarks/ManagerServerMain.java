package dev.sharedmemory.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import dev.sharedmemory.SharedMemoryDirectory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.protocol.ManagerAddress;
import dev.sharedmemory.protocol.ManagerServer;
import dev.sharedmemory.protocol.ManagerServerSettings;

/**
 * The Java side of {@code manager_protocol_bench.py}: a manager in {@code /dev/shm}
 * served on a free loopback port with the authkey given in {@code SMM_AUTHKEY}; prints
 * the address, and shuts down (unlinking every tracked block) when its standard input
 * closes. {@code SMM_THREADS} sets the server's loop threads (default 1).
 */
public final class ManagerServerMain {

	private ManagerServerMain() {
	}

	/**
	 * Runs the server until standard input closes.
	 * @param args none
	 * @throws IOException if standard input cannot be read
	 */
	public static void main(String[] args) throws IOException {
		byte[] authkey = System.getenv("SMM_AUTHKEY").getBytes(StandardCharsets.UTF_8);
		String threadsVariable = System.getenv("SMM_THREADS");
		int threads = (threadsVariable != null) ? Integer.parseInt(threadsVariable) : 1;
		SharedMemoryManager manager = SharedMemoryManager.builder()
			.directory(SharedMemoryDirectory.of(SharedMemoryDirectory.LINUX_SHM))
			.reclaimOrphans(false)
			.build();
		manager.start();
		ManagerServer server = ManagerServer.start(
				ManagerServerSettings.of(ManagerAddress.parse("127.0.0.1:0"), authkey).withThreads(threads), manager);
		System.out.println(server.address());
		System.out.flush();
		while (System.in.read() >= 0) {
			// Until the benchmark closes the pipe.
		}
		server.stop();
		manager.shutdown();
	}

}
