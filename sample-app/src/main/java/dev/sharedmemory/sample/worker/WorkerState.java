package dev.sharedmemory.sample.worker;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What the supervisor knows of its worker at the moment it was asked.
 *
 * @param pid the pid of the worker process, {@code null} while none runs
 * @param restarts how many times a worker that died was restarted
 * @param lastExitCode the exit code of the last worker that exited, {@code null} if none
 * did
 * @param command the command that runs the worker, script included
 */
public record WorkerState(@Nullable Long pid, int restarts, @Nullable Integer lastExitCode, List<String> command) {

}
