package dev.sharedmemory.autoconfigure.it;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A minimal application with the starter, Spring MVC, Actuator and Micrometer on its
 * class path, as a user's would be.
 */
@SpringBootApplication
public class SharedMemoryTestApplication {

	public static void main(String[] args) {
		SpringApplication.run(SharedMemoryTestApplication.class, args);
	}

}
