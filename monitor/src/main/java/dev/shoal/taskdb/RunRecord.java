package dev.shoal.taskdb;

import java.time.Instant;
import java.util.List;

/**
 * A run as the database has it.
 *
 * @param ended null while the run goes on (or if it never closed its kernel)
 * @param submitted, succeeded, failed, dependencyFailed the kernel's counts once it ended; while it
 *     runs, counted from the tasks table
 */
public record RunRecord(String runId, Instant started, Instant ended, String program, String runDir,
    List<String> executors, long submitted, long succeeded, long failed, long dependencyFailed) {

  public boolean running() {
    return ended == null;
  }
}
