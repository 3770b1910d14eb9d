package dev.shoal.executor;

import dev.shoal.codec.JsonCodec;
import java.nio.file.Path;

/**
 * What a kernel tells its executors when it starts them.
 *
 * @param runId unique id of this run
 * @param runDir where this run keeps files (command apps' working directories among them)
 * @param codec the run's JSON codec
 */
public record RunContext(String runId, Path runDir, JsonCodec codec) {

  /** The working directory of a task's command: one per task, so outputs never mix. */
  public Path taskDir(Invocation invocation) {
    return runDir.resolve("tasks").resolve(invocation.app().name() + "-" + invocation.taskId());
  }
}
