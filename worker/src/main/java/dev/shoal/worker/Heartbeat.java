package dev.shoal.worker;

/**
 * A worker's sign of life, written where whoever scales its pool can read it (an object in a
 * bucket, say): the dispatcher ends a polling worker whose heartbeat stops, since it hung or its
 * machine rebooted without it. {@link WorkerMain} beats it only while the worker makes progress on
 * its queue; see {@link HeartbeatProvider} for how one is chosen.
 */
public interface Heartbeat extends AutoCloseable {

  /**
   * Records that the worker is alive, now. May block on I/O; a failure is thrown, and the next
   * period tries again.
   */
  void beat();

  /** Releases what the heartbeat holds (a client, a connection); it does not erase the last beat. */
  @Override
  default void close() {}
}
