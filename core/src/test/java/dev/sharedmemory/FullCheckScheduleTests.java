package dev.sharedmemory;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests when a {@link FullCheckSchedule} lets a watcher check every block after dropped
 * events, on made-up clock readings: once for any number of drops, when the directory is
 * quiet or at the deadline the first drop set. How the watcher follows it is in
 * {@link DirectoryWatcherTests}.
 */
class FullCheckScheduleTests {

	private static final long QUIET = 100;

	private static final long LATEST = 1_000;

	// Far from zero, and near the end of the range: nanoTime readings may be anything.
	private static final long START = Long.MAX_VALUE - 1_500;

	private final FullCheckSchedule schedule = new FullCheckSchedule(Duration.ofNanos(QUIET), Duration.ofNanos(LATEST));

	@Test
	void nothingIsDueBeforeEventsAreDropped() {
		assertThat(this.schedule.isPending()).isFalse();
		assertThat(this.schedule.takeDue(START, true)).isFalse();
		assertThat(this.schedule.takeDue(START + 10 * LATEST, false)).isFalse();
	}

	@Test
	void dropsBeforeTheCheckRunsAreCheckedOnceWhenTheDirectoryIsQuiet() {
		this.schedule.dropped(START);
		assertThat(this.schedule.isPending()).isTrue();
		assertThat(this.schedule.waitNanos(START)).isEqualTo(QUIET);
		assertThat(this.schedule.takeDue(START + 50, false)).isFalse();
		this.schedule.dropped(START + 60);
		assertThat(this.schedule.takeDue(START + 160, true)).isTrue();
		assertThat(this.schedule.isPending()).isFalse();
		assertThat(this.schedule.takeDue(START + 170, true)).isFalse();
	}

	@Test
	void eventsThatNeverStopPutTheCheckOffUntilTheFirstDropsDeadlineOnly() {
		this.schedule.dropped(START);
		// Later drops do not move the deadline.
		this.schedule.dropped(START + 500);
		assertThat(this.schedule.waitNanos(START + 950)).isEqualTo(50);
		assertThat(this.schedule.takeDue(START + LATEST - 1, false)).isFalse();
		assertThat(this.schedule.waitNanos(START + LATEST + 1)).isZero();
		assertThat(this.schedule.takeDue(START + LATEST, false)).isTrue();
		assertThat(this.schedule.isPending()).isFalse();
	}

	@Test
	void aDropAfterTheCheckSetsANewDeadline() {
		this.schedule.dropped(START);
		assertThat(this.schedule.takeDue(START + LATEST, false)).isTrue();
		this.schedule.dropped(START + LATEST + 10);
		assertThat(this.schedule.takeDue(START + LATEST + 20, false)).isFalse();
		assertThat(this.schedule.takeDue(START + 2 * LATEST + 9, false)).isFalse();
		assertThat(this.schedule.takeDue(START + 2 * LATEST + 10, false)).isTrue();
	}

}
