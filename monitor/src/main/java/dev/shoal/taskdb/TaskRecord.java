package dev.shoal.taskdb;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A task's row: its current state, and when its latest attempt passed each step (null: not yet, or unknown). */
public record TaskRecord(String runId, long taskId, String app, String executor, List<Long> dependsOn,
    String argsDigest, TaskState state, int attempts, String worker, Instant submitted, Instant launched,
    Instant queued, Instant received, Instant started, Instant ended, Instant finished, String error,
    boolean reused) {

  /** How long the app ran on its worker, when known. */
  public Duration runTime() {
    return started == null || ended == null ? null : Duration.between(started, ended);
  }

  /** How long it waited between being handed to its executor and starting, when known. */
  public Duration waitTime() {
    return launched == null || started == null ? null : Duration.between(launched, started);
  }
}
