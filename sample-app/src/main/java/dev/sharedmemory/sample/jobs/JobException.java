package dev.sharedmemory.sample.jobs;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the job service refuses, answered in problem-details form with a detail that
 * names the problem.
 */
public final class JobException extends ErrorResponseException {

	private JobException(HttpStatus status, String title, String detail) {
		super(status, problem(status, title, detail), null);
	}

	private static ProblemDetail problem(HttpStatus status, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setTitle(title);
		return problem;
	}

	/**
	 * Returns the exception for an id that names no job.
	 * @param id the id as given
	 * @return a 404 exception
	 */
	static JobException notFound(String id) {
		return new JobException(HttpStatus.NOT_FOUND, "Unknown job", "No job with id '" + id + "'");
	}

	/**
	 * Returns the exception for readings that cannot be computed with.
	 * @param detail what is wrong with them
	 * @return a 400 exception
	 */
	static JobException invalidReadings(String detail) {
		return new JobException(HttpStatus.BAD_REQUEST, "Invalid readings", detail);
	}

	/**
	 * Returns the exception for a batch above the configured limit.
	 * @param count the number of readings in the batch
	 * @param limit the limit
	 * @return a 413 exception
	 */
	static JobException tooLarge(int count, int limit) {
		JobException exception = new JobException(HttpStatus.CONTENT_TOO_LARGE, "Batch too large", "The batch has "
				+ count + " readings, more than the limit of " + limit + " (sample.jobs.max-readings)");
		exception.getBody().setProperty("count", count);
		exception.getBody().setProperty("limit", limit);
		return exception;
	}

	/**
	 * Returns the exception for a submission while the service holds as many jobs as it
	 * may.
	 * @param limit the limit
	 * @return a 429 exception
	 */
	static JobException tooManyJobs(int limit) {
		JobException exception = new JobException(HttpStatus.TOO_MANY_REQUESTS, "Too many jobs", "The service holds "
				+ limit + " jobs already, its limit (sample.jobs.max-jobs): delete finished jobs first");
		exception.getBody().setProperty("limit", limit);
		return exception;
	}

	/**
	 * Returns the exception for a status filter that names no status.
	 * @param detail what is wrong with it
	 * @return a 400 exception
	 */
	static JobException invalidStatus(String detail) {
		return new JobException(HttpStatus.BAD_REQUEST, "Invalid status", detail);
	}

}
