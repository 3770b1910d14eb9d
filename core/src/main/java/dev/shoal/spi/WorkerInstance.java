package dev.shoal.spi;

import java.time.Instant;

/**
 * One worker of a pool, as its provider sees it.
 *
 * @param id the provider's id for it (a process id, an EC2 instance id, ...)
 * @param state whether it is polling yet
 * @param launchedAt when it was asked for
 */
public record WorkerInstance(String id, State state, Instant launchedAt) {

  /** Where a worker is in its life. */
  public enum State {
    /** Requested, not yet polling the queue. */
    PENDING,
    /** Polling the queue. */
    RUNNING
  }
}
