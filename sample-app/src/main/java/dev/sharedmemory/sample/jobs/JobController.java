package dev.sharedmemory.sample.jobs;

import java.net.URI;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The job service over HTTP: {@code POST /jobs} submits, {@code GET /jobs[?status=...]}
 * lists, {@code GET /jobs/{id}} reads and {@code DELETE /jobs/{id}} deletes.
 */
@RestController
@RequestMapping("/jobs")
public class JobController {

	private final JobService jobs;

	/**
	 * Creates the controller.
	 * @param jobs the job service
	 */
	public JobController(JobService jobs) {
		this.jobs = jobs;
	}

	/**
	 * Submits a job.
	 * @param request the readings
	 * @return 201 with the new job and its location
	 */
	@PostMapping
	public ResponseEntity<JobView> submit(@RequestBody JobRequest request) {
		JobView job = this.jobs.submit(request.readings());
		return ResponseEntity.created(URI.create("/jobs/" + job.id())).body(job);
	}

	/**
	 * Lists the jobs, oldest first.
	 * @param status only jobs with this status ({@code pending}, {@code running},
	 * {@code done} or {@code failed})
	 * @return the jobs
	 */
	@GetMapping
	public List<JobView> list(@RequestParam(required = false) @Nullable String status) {
		return this.jobs.list((status != null) ? parseStatus(status) : null);
	}

	/**
	 * Reads a job.
	 * @param id the job's id
	 * @return the job, results included once done
	 */
	@GetMapping("/{id}")
	public JobView get(@PathVariable String id) {
		return this.jobs.get(id);
	}

	/**
	 * Deletes a job and unlinks its blocks.
	 * @param id the job's id
	 * @return 204
	 */
	@DeleteMapping("/{id}")
	public ResponseEntity<Void> delete(@PathVariable String id) {
		this.jobs.delete(id);
		return ResponseEntity.noContent().build();
	}

	private static JobStatus parseStatus(String status) {
		try {
			return JobStatus.of(status);
		}
		catch (IllegalArgumentException ex) {
			throw JobException.invalidStatus(ex.getMessage());
		}
	}

}
