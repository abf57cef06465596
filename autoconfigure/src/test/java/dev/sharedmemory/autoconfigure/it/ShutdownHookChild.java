package dev.sharedmemory.autoconfigure.it;

import dev.sharedmemory.SharedMemoryManager;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application run in its own JVM by {@link ShutdownHookTests}: creates two blocks,
 * prints their names and waits to be terminated.
 */
public final class ShutdownHookChild {

	private ShutdownHookChild() {
	}

	public static void main(String[] args) throws InterruptedException {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SharedMemoryTestApplication.class)
			.web(WebApplicationType.NONE)
			.run(args);
		SharedMemoryManager manager = context.getBean(SharedMemoryManager.class);
		String first = manager.sharedMemory(64).name();
		String second = manager.sharedMemory(128).name();
		System.out.println("BLOCKS " + first + " " + second);
		System.out.flush();
		Thread.currentThread().join();
	}

}
