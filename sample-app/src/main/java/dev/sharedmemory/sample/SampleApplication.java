package dev.sharedmemory.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A job service: clients post batches of readings, a Python worker computes their
 * statistics, and the two share the data through shared memory blocks created by the
 * injected {@code SharedMemoryManager}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class SampleApplication {

	/**
	 * Starts the application.
	 * @param args command line arguments, such as {@code --server.port=0}
	 */
	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
