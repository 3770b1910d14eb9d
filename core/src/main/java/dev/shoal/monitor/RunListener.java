package dev.shoal.monitor;

/**
 * Watches one run. The kernel calls it on the threads where things happen (a caller's thread for
 * {@code SUBMITTED}, the kernel's completion threads for results, an executor's own threads for
 * workers and scaling), so every method must return quickly and never block: a listener that has
 * real work to do (a database, a network) queues the event and does it on a thread of its own.
 * A listener that throws is logged and kept; the run goes on.
 *
 * <p>A kernel given a listener owns it: it calls {@link #runEnded} once every task has finished and
 * the executors have closed, then {@link #close}.
 */
public interface RunListener extends AutoCloseable {

  /**
   * Whether this listener needs the digest of each task's arguments ({@link TaskEvent#detail()} of
   * {@code LAUNCHED}). Computing it encodes the arguments on the task path, which costs as much as
   * a no-op task on threads: it is done only when a listener asks (default no).
   */
  default boolean wantsArgumentDigests() {
    return false;
  }

  /** Before the first task is submitted. */
  default void runStarted(RunInfo run) {}

  default void task(TaskEvent event) {}

  default void worker(WorkerEvent event) {}

  default void scaling(ScalingEvent event) {}

  default void queue(QueueSample sample) {}

  /** After the last task of the run has finished and the executors have closed. */
  default void runEnded(RunEnd end) {}

  /** Releases what the listener holds (flushes a database, stops a server); after {@link #runEnded}. */
  @Override
  default void close() {}

  /** A listener that ignores everything. */
  static RunListener none() {
    return NoListener.INSTANCE;
  }
}
