package dev.shoal.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A run as it ends.
 *
 * @param runId the run's id
 * @param ended when the kernel had closed its executors
 * @param submitted tasks submitted
 * @param succeeded tasks that finished with a result
 * @param failed tasks that failed (after any retries) or were cancelled
 * @param dependencyFailed tasks not run because an input failed
 */
public record RunEnd(String runId, Instant ended, long submitted, long succeeded, long failed, long dependencyFailed) {
  public RunEnd {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(ended, "ended");
  }
}
