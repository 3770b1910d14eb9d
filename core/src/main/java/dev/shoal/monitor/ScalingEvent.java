package dev.shoal.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A scaling decision about a run's pool that changed something or said something new.
 *
 * @param runId the run
 * @param executor the label of the executor whose pool it is
 * @param at when
 * @param action {@code scale out}, {@code hold} or {@code scale in}
 * @param fromWorkers the pool's size (running and pending) before
 * @param desiredWorkers the size the policy wants
 * @param launched workers launched by it
 * @param queuedMessages messages waiting in the queue it read (a message carries one task or a bundle)
 * @param reason the decision as its log line says it
 */
public record ScalingEvent(String runId, String executor, Instant at, String action, int fromWorkers,
    int desiredWorkers, int launched, long queuedMessages, String reason) {
  public ScalingEvent {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(reason, "reason");
  }
}
