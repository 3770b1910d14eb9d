package dev.shoal.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker of a run's pool as it comes or goes.
 *
 * @param runId the run
 * @param worker the worker's id, as its results name it
 * @param executor the label of the executor whose pool it belongs to
 * @param phase whether it started or ended
 * @param at when
 * @param detail a word more: what kind of worker (a local JVM, the client's in-process burst) as
 *     it starts, why it ended (its exit code, idle) as it ends; null when nothing is known
 */
public record WorkerEvent(String runId, String worker, String executor, Phase phase, Instant at, String detail) {
  public WorkerEvent {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(at, "at");
  }

  public enum Phase {
    STARTED,
    ENDED
  }
}
