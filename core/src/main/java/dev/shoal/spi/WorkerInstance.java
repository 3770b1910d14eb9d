package dev.shoal.spi;

import java.time.Instant;

/**
 * One worker of a pool, as its provider sees it.
 *
 * @param id the provider's id for it (a process id, an EC2 instance id, ...)
 * @param state whether it is polling yet
 * @param launchedAt when it was asked for
 * @param lastSeen when the worker itself last showed it is alive (its heartbeat), for a provider
 *     that can read one; null when the provider cannot tell, and such a worker is never taken for
 *     silent
 */
public record WorkerInstance(String id, State state, Instant launchedAt, Instant lastSeen) {

  /** A worker whose provider reads no heartbeat. */
  public WorkerInstance(String id, State state, Instant launchedAt) {
    this(id, state, launchedAt, null);
  }

  /** Where a worker is in its life. */
  public enum State {
    /** Requested, not yet polling the queue. */
    PENDING,
    /** Polling the queue. */
    RUNNING
  }
}
