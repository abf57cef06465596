package dev.sharedmemory.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each method does, without a socket.
 */
class ManagerServiceTests {

	private static final Peer PEER = new Peer("127.0.0.1:1", null);

	@TempDir
	Path directory;

	private final AtomicInteger shutdowns = new AtomicInteger();

	@Test
	void tracksListsAndReleasesWithPositionalOrKeywordArguments() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		ManagerService service = new ManagerService(registry, false, this.shutdowns::incrementAndGet);
		Files.createFile(this.directory.resolve("a"));
		Files.createFile(this.directory.resolve("b"));
		assertThat(service.handle(request("dummy"), PEER)).isEqualTo(Reply.returned(null));
		assertThat(service.handle(request("track_segment", "a"), PEER)).isEqualTo(Reply.returned(null));
		assertThat(service.handle(new Request("track_segment", List.of(), Map.of("segment_name", "b")), PEER))
			.isEqualTo(Reply.returned(null));
		assertThat(service.handle(request("list_segments"), PEER)).isEqualTo(Reply.returned(List.of("a", "b")));
		assertThat(service.handle(request("number_of_objects"), PEER)).isEqualTo(Reply.returned(0L));
		assertThat(service.handle(request("release_segment", "a"), PEER)).isEqualTo(Reply.returned(null));
		assertThat(this.directory.resolve("a")).doesNotExist();
		assertThat(registry.names()).containsExactly("b");
	}

	@Test
	void answersWrongArgumentsAsPythonWould() {
		ManagerService service = new ManagerService(new DirectorySegmentRegistry(this.directory), false,
				this.shutdowns::incrementAndGet);
		assertThat(traceback(service, request("track_segment")))
			.endsWith("TypeError: track_segment() missing required argument: 'segment_name'\n");
		assertThat(traceback(service, request("track_segment", "a", "b")))
			.endsWith("TypeError: track_segment() takes 1 arguments but 2 were given\n");
		assertThat(traceback(service, request("track_segment", 3L)))
			.endsWith("TypeError: track_segment() argument 'segment_name' must be str, not Long\n");
		assertThat(traceback(service, new Request("dummy", List.of(), Map.of("x", 1L))))
			.endsWith("TypeError: dummy() got an unexpected keyword argument 'x'\n");
		assertThat(traceback(service, request("track_segment", "missing")))
			.endsWith("ValueError: No shared memory block 'missing' in " + this.directory + " to track\n");
		assertThat(traceback(service, request("__reduce__"))).endsWith("AssertionError: '__reduce__' unrecognized\n");
		assertThat(traceback(service, request("incref", "1")))
			.contains("NotImplementedError: 'incref' is not supported");
	}

	@Test
	void refusesRemoteShutdownUnlessAllowed() throws Exception {
		DirectorySegmentRegistry registry = new DirectorySegmentRegistry(this.directory);
		Files.createFile(this.directory.resolve("a"));
		registry.track("a", PEER);
		ManagerService refusing = new ManagerService(registry, false, this.shutdowns::incrementAndGet);
		assertThat(traceback(refusing, request("shutdown"))).contains("PermissionError: remote shutdown is refused");
		assertThat(this.directory.resolve("a")).exists();
		assertThat(this.shutdowns).hasValue(0);
		ManagerService allowing = new ManagerService(registry, true, this.shutdowns::incrementAndGet);
		assertThat(allowing.handle(request("shutdown"), PEER)).isEqualTo(Reply.returned(null));
		assertThat(this.directory.resolve("a")).doesNotExist();
		assertThat(this.shutdowns).hasValue(1);
	}

	private static Request request(String method, Object... args) {
		return new Request(method, List.of(args), Map.of());
	}

	private static String traceback(ManagerService service, Request request) {
		Reply reply = service.handle(request, PEER);
		assertThat(reply.kind()).isEqualTo(Reply.TRACEBACK);
		return (String) reply.value();
	}

}
