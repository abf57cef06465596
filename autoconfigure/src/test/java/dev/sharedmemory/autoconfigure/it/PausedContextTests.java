package dev.sharedmemory.autoconfigure.it;

import dev.sharedmemory.SharedMemory;
import dev.sharedmemory.SharedMemoryManager;
import dev.sharedmemory.autoconfigure.test.AutoConfigureTestSharedMemory;
import dev.sharedmemory.autoconfigure.test.TestSharedMemoryDirectory;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.cache.ContextCacheUtils;
import org.springframework.test.context.cache.ContextCache.PauseMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user's suite as Spring Framework 7 runs it with its default
 * {@code spring.test.context.cache.pause} ({@code on_context_switch}): a class uses
 * context A, the next one context B, which pauses A, and a third A again, which restarts
 * it. The block A's bean created stays through the pause, and the bean still works in the
 * third.
 */
@AutoConfigureTestSharedMemory
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class PausedContextTests {

	private static volatile ConfigurableApplicationContext contextA;

	private static volatile PriceBoard boardA;

	@Nested
	@Order(1)
	@SpringBootTest(classes = { SharedMemoryTestApplication.class, PriceBoard.class })
	class FirstClassOfContextA {

		@Autowired
		ConfigurableApplicationContext context;

		@Autowired
		PriceBoard board;

		@Test
		void publishes() {
			assertThat(ContextCacheUtils.retrievePauseMode()).isEqualTo(PauseMode.ON_CONTEXT_SWITCH);
			contextA = this.context;
			boardA = this.board;
			this.board.publish(100L);
			assertThat(this.board.price()).isEqualTo(100L);
		}

	}

	@Nested
	@Order(2)
	@SpringBootTest(classes = { SharedMemoryTestApplication.class, PriceBoard.class },
			properties = "price-board.context=b")
	class ClassOfContextB {

		@Autowired
		ConfigurableApplicationContext context;

		@Autowired
		PriceBoard board;

		@Test
		void pausedContextAKeepsItsBlock() {
			assertThat(this.context).isNotSameAs(contextA);
			assertThat(contextA.isRunning()).as("context A is paused").isFalse();
			TestSharedMemoryDirectory directoryA = contextA.getBean(TestSharedMemoryDirectory.class);
			assertThat(directoryA.blockNames()).contains(boardA.blockName());
			assertThat(contextA.getBean(SharedMemoryManager.class).block(boardA.blockName())).isPresent();
			this.board.publish(200L);
			assertThat(this.board.price()).isEqualTo(200L);
		}

	}

	@Nested
	@Order(3)
	@SpringBootTest(classes = { SharedMemoryTestApplication.class, PriceBoard.class })
	class SecondClassOfContextA {

		@Autowired
		ConfigurableApplicationContext context;

		@Autowired
		PriceBoard board;

		@Autowired
		SharedMemoryManager manager;

		@Test
		void restartedContextAFindsItsBlock() {
			assertThat(this.context).isSameAs(contextA);
			assertThat(this.context.isRunning()).isTrue();
			assertThat(this.board).isSameAs(boardA);
			assertThat(this.board.price()).isEqualTo(100L);
			this.board.publish(300L);
			assertThat(this.board.price()).isEqualTo(300L);
			assertThat(this.manager.block(this.board.blockName())).isPresent();
		}

	}

	/**
	 * The README's example: a bean that creates its block in its constructor and uses it
	 * for as long as it lives.
	 */
	static class PriceBoard {

		private final SharedMemory prices;

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

	}

}
