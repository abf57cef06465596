package dev.sharedmemory.sample.web;

import java.util.List;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Answers every error of Spring MVC in problem-details form (RFC 9457), and replaces the
 * parser's message about an unreadable body, which names Java types, with one that names
 * the offending element.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final String EXAMPLE = "a JSON object such as {\"readings\": [21.5, 22.0]}";

	private static final String EXPECTED = "expected " + EXAMPLE;

	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, describe(ex));
		problem.setTitle("Unreadable request body");
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	private static String describe(HttpMessageNotReadableException ex) {
		if (!(ex.getCause() instanceof JacksonException cause)) {
			return "The request body is missing or unreadable: " + EXPECTED;
		}
		if (cause instanceof StreamReadException) {
			return "The request body is not valid JSON" + ((cause.getLocation() != null) ? " (line "
					+ cause.getLocation().getLineNr() + ", column " + cause.getLocation().getColumnNr() + ")" : "")
					+ ": " + EXPECTED;
		}
		List<JacksonException.Reference> path = cause.getPath();
		if (path.isEmpty()) {
			return "The request body is not " + EXAMPLE;
		}
		boolean element = path.get(path.size() - 1).getPropertyName() == null;
		return path(path) + (element ? " is not a number: " : " is not an array of numbers: ") + EXPECTED;
	}

	private static String path(List<JacksonException.Reference> path) {
		StringBuilder text = new StringBuilder();
		for (JacksonException.Reference reference : path) {
			if (reference.getPropertyName() != null) {
				text.append((text.length() > 0) ? "." : "").append(reference.getPropertyName());
			}
			else {
				text.append('[').append(reference.getIndex()).append(']');
			}
		}
		return text.toString();
	}

}
