package dev.sharedmemory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import dev.sharedmemory.protocol.Peer;

/**
 * The other process of {@link CrossProcessTests}: a plain JVM that uses the library and
 * exits without closing or unlinking anything, as a process that dies would.
 */
public final class ChildProcessMain {

	private ChildProcessMain() {
	}

	/**
	 * Runs one command: {@code attach-write <name> <text>},
	 * {@code create-write <name> <size> <text>}, {@code create-non-ascii <directory>},
	 * {@code manager <directory> <blocks> <hook|no-hook>},
	 * {@code manager-tracking <directory> <blocks>}, {@code reclaim <directory>} or
	 * {@code probe-lock <file>}.
	 * @param args the command and its arguments
	 * @throws InterruptedException if interrupted while waiting to be killed
	 */
	public static void main(String[] args) throws InterruptedException, IOException {
		switch (args[0]) {
			case "reclaim" -> {
				// Starts a manager, which reclaims; says what it reclaimed and stops.
				SharedMemoryManager manager = SharedMemoryManager.builder()
					.directory(SharedMemoryDirectory.of(Path.of(args[1])))
					.build();
				manager.start();
				System.out.println("reclaimed " + manager.reclaimedBlocks() + " " + manager.reclaimedBytes());
				manager.shutdown();
			}
			case "probe-lock" -> {
				// Whether another process holds a record lock on the file: what a
				// reclaimer elsewhere would see.
				try (FileChannel channel = FileChannel.open(Path.of(args[1]), StandardOpenOption.READ,
						StandardOpenOption.WRITE)) {
					System.out.println((channel.tryLock() != null) ? "free" : "held");
				}
			}
			case "manager" -> {
				// Creates blocks through a manager, says which, and waits to be killed.
				SharedMemoryManager manager = SharedMemoryManager.builder()
					.directory(SharedMemoryDirectory.of(Path.of(args[1])))
					.build();
				if (args[3].equals("hook")) {
					Runtime.getRuntime().addShutdownHook(new Thread(manager::shutdown));
				}
				manager.start();
				int blocks = Integer.parseInt(args[2]);
				for (int i = 0; i < blocks; i++) {
					SharedMemory block = manager.sharedMemory(1000 + i);
					System.out.println("block " + block.name() + " " + block.size());
				}
				ShareableList list = manager.shareableList(List.of(1L, "list"));
				System.out.println("block " + list.shm().name() + " " + list.shm().size());
				System.out.println("ready");
				System.out.flush();
				Thread.sleep(Long.MAX_VALUE);
			}
			case "manager-tracking" -> {
				// Tracks blocks created beside the manager, as its server does for Python
				// clients, and waits.
				SharedMemoryDirectory directory = SharedMemoryDirectory.of(Path.of(args[1]));
				SharedMemoryManager manager = SharedMemoryManager.builder().directory(directory).build();
				manager.start();
				int blocks = Integer.parseInt(args[2]);
				for (int i = 0; i < blocks; i++) {
					SharedMemory block = directory.create(2000 + i);
					block.close();
					manager.segmentRegistry().track(block.name(), new Peer("127.0.0.1:" + (50000 + i), null));
					System.out.println("block " + block.name() + " " + block.size());
				}
				System.out.println("ready");
				System.out.flush();
				Thread.sleep(Long.MAX_VALUE);
			}
			case "attach-write" -> {
				SharedMemory block = SharedMemory.attach(args[1]);
				block.buf().put(0, args[2].getBytes(StandardCharsets.UTF_8));
				System.out.println(block.size());
			}
			case "create-write" -> {
				SharedMemory block = SharedMemory.create(args[1], Long.parseLong(args[2]));
				block.buf().put(0, args[3].getBytes(StandardCharsets.UTF_8));
				System.out.println(block);
			}
			case "create-non-ascii" -> {
				// Built here: under a non-UTF-8 locale the command line could not carry
				// it either.
				String name = "bl\u00f6ck";
				try {
					SharedMemoryDirectory.of(Path.of(args[1])).create(name, 8);
					System.out.println("created");
				}
				catch (IllegalArgumentException ex) {
					System.out.println(ex.getMessage());
					System.exit(3);
				}
			}
			default -> throw new IllegalArgumentException("Unknown command " + args[0]);
		}
	}

}
