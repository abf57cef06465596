package dev.sharedmemory.python;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A running Python script from {@code src/test/resources/python} that answers one JSON
 * line per request line: many operations go in one request, so that a test needs few
 * round trips and one process per interpreter. Every wait is bounded; a failure shows the
 * script's stderr.
 */
public final class PythonSession implements AutoCloseable {

	private static final long ANSWER_TIMEOUT_SECONDS = 120;

	private static final long EXIT_TIMEOUT_SECONDS = 60;

	private static final String END = "\u0000end";

	private static final Gson GSON = new Gson();

	private final PythonInterpreter interpreter;

	private final Process process;

	private final Writer requests;

	private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

	private final Path stderr;

	private String finalStderr;

	private PythonSession(PythonInterpreter interpreter, Process process, Path stderr) {
		this.interpreter = interpreter;
		this.process = process;
		this.stderr = stderr;
		this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
		Thread reader = new Thread(this::readAnswers, "python-" + interpreter.version() + "-stdout");
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Starts a script.
	 * @param interpreter the interpreter to run it with
	 * @param script the script's file name under {@code src/test/resources/python}
	 * @return the session
	 */
	public static PythonSession start(PythonInterpreter interpreter, String script) {
		Path stderr = null;
		try {
			stderr = Files.createTempFile("python-stderr-", ".txt");
			// -I: no user site-packages nor PYTHON* variables; -B: no __pycache__ beside
			// the script.
			Process process = new ProcessBuilder(interpreter.executable().toString(), "-I", "-B",
					scriptPath(script).toString())
				.redirectError(stderr.toFile())
				.start();
			return new PythonSession(interpreter, process, stderr);
		}
		catch (IOException ex) {
			deleteQuietly(stderr);
			throw new UncheckedIOException("Cannot start " + interpreter + " at " + interpreter.executable(), ex);
		}
	}

	private static Path scriptPath(String script) {
		URL url = PythonSession.class.getResource("/python/" + script);
		if (url == null) {
			throw new IllegalArgumentException("No script src/test/resources/python/" + script);
		}
		try {
			return Path.of(url.toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Returns the interpreter this session runs.
	 * @return the interpreter
	 */
	public PythonInterpreter interpreter() {
		return this.interpreter;
	}

	/**
	 * Sends operations as one request and waits for their results.
	 * @param operations the operations, each a JSON object with an {@code op}
	 * @return one result per operation, in order
	 * @throws AssertionError if the script does not answer in time or dies, with its
	 * stderr
	 */
	public List<JsonObject> call(List<JsonObject> operations) {
		JsonArray request = new JsonArray();
		operations.forEach(request::add);
		String answer;
		try {
			this.requests.write(GSON.toJson(request));
			this.requests.write('\n');
			this.requests.flush();
			answer = this.answers.poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
		}
		catch (IOException ex) {
			throw failure("could not be sent a request: " + ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw failure("was interrupted");
		}
		if (answer == null) {
			throw failure("did not answer within " + ANSWER_TIMEOUT_SECONDS + " s");
		}
		if (END.equals(answer)) {
			throw failure("exited before answering");
		}
		List<JsonObject> results = new ArrayList<>();
		for (JsonElement result : GSON.fromJson(answer, JsonArray.class)) {
			results.add(result.getAsJsonObject());
		}
		return results;
	}

	/**
	 * Sends one operation and waits for its result.
	 * @param operation the operation
	 * @return its result
	 */
	public JsonObject call(JsonObject operation) {
		return call(List.of(operation)).get(0);
	}

	/**
	 * Ends the script: closes its input, waits for it to exit and checks that it exited
	 * with 0.
	 * @return what it wrote to stderr
	 * @throws AssertionError if it does not exit in time or exits with another status
	 */
	public String finish() {
		if (this.finalStderr != null) {
			return this.finalStderr;
		}
		try {
			this.requests.close();
			if (!this.process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				throw failure("did not exit within " + EXIT_TIMEOUT_SECONDS + " s of the end of its input");
			}
		}
		catch (IOException ex) {
			// Already gone: the exit status tells.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw failure("was interrupted");
		}
		if (this.process.exitValue() != 0) {
			throw failure("exited with status " + this.process.exitValue());
		}
		this.finalStderr = readStderr();
		deleteQuietly(this.stderr);
		return this.finalStderr;
	}

	/**
	 * Ends the script if {@link #finish()} was not called, killing it if need be; never
	 * throws.
	 */
	@Override
	public void close() {
		if (this.finalStderr == null) {
			this.process.destroyForcibly();
			try {
				this.process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			deleteQuietly(this.stderr);
		}
	}

	private AssertionError failure(String what) {
		this.process.destroyForcibly();
		return new AssertionError(this.interpreter + " (" + this.interpreter.executable() + ") " + what
				+ "; its stderr:\n" + readStderr());
	}

	private String readStderr() {
		try {
			return Files.readString(this.stderr, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			return "(cannot read stderr: " + ex + ")";
		}
	}

	private void readAnswers() {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				this.answers.add(line);
			}
		}
		catch (IOException ex) {
			// The process is gone: the end marker below tells the waiting test.
		}
		this.answers.add(END);
	}

	private static void deleteQuietly(Path file) {
		if (file != null) {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				// A temporary file: nothing depends on it.
			}
		}
	}

}
