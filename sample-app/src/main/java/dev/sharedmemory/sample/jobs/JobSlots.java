package dev.sharedmemory.sample.jobs;

import java.util.Arrays;
import java.util.List;

/**
 * The layout of the {@code ShareableList} that describes a job, slot by slot: the one
 * place on the Java side that knows it. {@code python/worker.py} reads and writes the
 * same slots.
 */
final class JobSlots {

	/** The job's id, an int. */
	static final int JOB_ID = 0;

	/** A {@link JobStatus} as text. */
	static final int STATUS = 1;

	/** The name of the block that holds the readings. */
	static final int DATA_BLOCK = 2;

	/** The number of readings, an int. */
	static final int COUNT = 3;

	/**
	 * The first of the five results (mean, min, max, stddev, p95), floats, NaN until the
	 * job is done.
	 */
	static final int MEAN = 4;

	static final int MIN = 5;

	static final int MAX = 6;

	static final int STDDEV = 7;

	static final int P95 = 8;

	/** The pid of the worker that claimed the job, an int, 0 until then. */
	static final int WORKER_PID = 9;

	/** Why the job failed, text, empty otherwise. */
	static final int ERROR = 10;

	/**
	 * The name of the {@code ShareableList} of results that the worker created through
	 * the application's manager server, text, empty if it created none.
	 */
	static final int RESULTS_BLOCK = 11;

	static final int SLOTS = 12;

	// A str slot is sized when the list is created and never grows: the list is created
	// with placeholders this long, and the real values written next. The worker keeps its
	// error messages to 120 bytes.
	private static final int STATUS_CAPACITY = 15;

	private static final int ERROR_CAPACITY = 127;

	// Python names its blocks psm_ and 8 hex digits: room to spare.
	private static final int RESULTS_BLOCK_CAPACITY = 31;

	private JobSlots() {
	}

	/**
	 * Returns the items to create a job's list with, each slot sized for what will be
	 * written into it.
	 * @param id the job's id
	 * @param dataBlock the name of the block that holds the readings
	 * @param count the number of readings
	 * @return the items
	 */
	static List<Object> placeholders(long id, String dataBlock, int count) {
		Object[] items = new Object[SLOTS];
		items[JOB_ID] = id;
		items[STATUS] = " ".repeat(STATUS_CAPACITY);
		items[DATA_BLOCK] = dataBlock;
		items[COUNT] = (long) count;
		Arrays.fill(items, MEAN, P95 + 1, Double.NaN);
		items[WORKER_PID] = 0L;
		items[ERROR] = " ".repeat(ERROR_CAPACITY);
		items[RESULTS_BLOCK] = " ".repeat(RESULTS_BLOCK_CAPACITY);
		return Arrays.asList(items);
	}

	/**
	 * Cuts a text to what fits the error slot.
	 * @param text the text
	 * @return the text, or as many of its first characters as fit
	 */
	static String fitError(String text) {
		// Counting chars is enough for the ASCII messages the application writes; one
		// byte per char in UTF-8.
		return (text.length() <= ERROR_CAPACITY) ? text : text.substring(0, ERROR_CAPACITY);
	}

}
