package dev.sharedmemory.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

import com.google.gson.JsonObject;
import dev.sharedmemory.SharedMemoryDirectory;

/**
 * Shared bits of the protocol tests: authkeys, servers on free ports or fresh socket
 * paths, addresses for {@code manager_peer.py}.
 */
final class Fixtures {

	static final Path DEV_SHM = SharedMemoryDirectory.LINUX_SHM;

	private static final SecureRandom RANDOM = new SecureRandom();

	private Fixtures() {
	}

	static byte[] authkey() {
		byte[] key = new byte[24];
		RANDOM.nextBytes(key);
		return key;
	}

	static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}

	static ManagerServer startServer(ManagerAddress address, byte[] authkey, DirectorySegmentRegistry registry) {
		return startServer(ManagerServerSettings.of(address, authkey), registry);
	}

	static ManagerServer startServer(ManagerServerSettings settings, DirectorySegmentRegistry registry) {
		ManagerServer server = new ManagerServer(settings, registry);
		server.start();
		return server;
	}

	static ManagerAddress tcp() {
		return new ManagerAddress.Tcp("127.0.0.1", 0);
	}

	/** A socket path in a test's directory; short, as sun_path allows 108 bytes. */
	static ManagerAddress unix(Path directory) {
		return new ManagerAddress.Unix(directory.resolve("s.sock"));
	}

	static JsonObject json(ManagerAddress address) {
		JsonObject json = new JsonObject();
		if (address instanceof ManagerAddress.Unix unix) {
			json.addProperty("path", unix.path().toString());
		}
		else {
			ManagerAddress.Tcp tcp = (ManagerAddress.Tcp) address;
			json.addProperty("host", tcp.host());
			json.addProperty("port", tcp.port());
		}
		return json;
	}

	static ManagerAddress address(JsonObject json) {
		if (json.has("path")) {
			return new ManagerAddress.Unix(Path.of(json.get("path").getAsString()));
		}
		return new ManagerAddress.Tcp(json.get("host").getAsString(), json.get("port").getAsInt());
	}

	static boolean exists(String name) {
		return Files.exists(DEV_SHM.resolve(name.startsWith("/") ? name.substring(1) : name));
	}

}
