package dev.shoal.spi;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.monitor.RunListener;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What a kernel tells its executors when it starts them.
 *
 * @param runId unique id of this run
 * @param runDir where this run keeps files (command apps' working directories among them)
 * @param codec the run's JSON codec
 * @param completions where an executor whose results arrive on a thread of its own (a queue's reply
 *     consumer) reports them ({@link Invocation#succeeded}, {@link Invocation#failed}): completing a
 *     task runs user callbacks and launches dependents, which must never stall the thread that drains
 *     results. The kernel owns it and stops it after its executors have closed.
 * @param listener where an executor reports what only it sees: its workers coming and going, its
 *     pool's scaling decisions (task transitions go through {@link Invocation}); never blocks
 */
public record RunContext(String runId, Path runDir, JsonCodec codec, Executor completions, RunListener listener) {

  public RunContext {
    Objects.requireNonNull(listener, "listener");
  }

  /** The context of a run nobody watches. */
  public RunContext(String runId, Path runDir, JsonCodec codec, Executor completions) {
    this(runId, runDir, codec, completions, RunListener.none());
  }

  /** The working directory of a task's command: one per task, so outputs never mix. */
  public Path taskDir(Invocation invocation) {
    return runDir.resolve("tasks").resolve(invocation.app().name() + "-" + invocation.taskId());
  }
}
