package dev.shoal.monitor;

import java.time.Instant;
import java.util.Objects;

/**
 * A queue's depth as a pool's scaling step read it (every tick of a local autoscaler).
 *
 * @param runId the run
 * @param executor the label of the executor whose queue it is
 * @param at when it was read
 * @param waiting messages waiting to be received (a message carries one task or a bundle)
 * @param inFlight messages received and not yet acknowledged
 * @param workers the pool's workers, running and pending, when it was read
 */
public record QueueSample(String runId, String executor, Instant at, long waiting, long inFlight, int workers) {
  public QueueSample {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(at, "at");
  }
}
