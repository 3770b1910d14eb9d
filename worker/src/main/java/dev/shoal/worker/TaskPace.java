package dev.shoal.worker;

import java.time.Duration;

/**
 * How many tasks a worker lets wait for a slot, from how long its tasks take: as many as its slots
 * get through within the hold horizon. Short tasks may wait in numbers (a poll costs more than they
 * do); multi-second tasks wait not at all, one task per slot, as Parsl's interchange hands a task
 * out only when a slot frees, so that a burst spreads over every worker instead of queueing
 * behind the first one's slots.
 *
 * <p>A task's duration is estimated from the tasks that finished (a moving average); and once every
 * slot has been busy for longer than the horizon, from the youngest running task's age too: those
 * tasks are long, whatever the average says, and the waiting ones cannot start before one of them
 * ends. Before any task has finished, nothing is known: a worker then polls for one task per free
 * slot, and hands back nothing unless its running tasks outlast the horizon.
 *
 * <p>Pure arithmetic and one moving average; safe from any thread.
 */
final class TaskPace {
  /** The weight of the newest duration in the moving average. */
  private static final double WEIGHT = 0.2;

  private final int slots;
  private final long horizonNanos;
  private final int maxWaiting;
  /** Nanoseconds; negative until a task has finished. Racy updates only blur an estimate. */
  private volatile double average = -1;

  /**
   * @param horizon how soon a waiting task must be expected to start
   * @param maxWaiting the most tasks a poll may bring to wait, however short they are
   */
  TaskPace(int slots, Duration horizon, int maxWaiting) {
    if (slots < 1 || maxWaiting < 0 || horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("slots " + slots + ", horizon " + horizon + ", maxWaiting " + maxWaiting);
    }
    this.slots = slots;
    this.horizonNanos = horizon.toNanos();
    this.maxWaiting = maxWaiting;
  }

  /** A task ran this long. */
  void finished(long nanos) {
    double sample = Math.max(0, nanos);
    double previous = average;
    average = previous < 0 ? sample : previous + WEIGHT * (sample - previous);
  }

  /** Whether a task has finished, so that durations are known. */
  boolean known() {
    return average >= 0;
  }

  /**
   * The estimated duration of a task, in nanoseconds: the average, or the youngest running task's
   * age when that is over the horizon (a cold start's slow first tasks count for nothing before).
   */
  long estimateNanos(long youngestRunningNanos) {
    double known = Math.max(0, average);
    return (long) (youngestRunningNanos > horizonNanos ? Math.max(known, youngestRunningNanos) : known);
  }

  /**
   * Tasks that may be waiting for a slot when the worker polls for more: none until a task has
   * finished, then as many as start within the horizon, at most {@code maxWaiting}.
   *
   * @param youngestRunningNanos the youngest running task's age when every slot is busy, else 0
   */
  int waitingToPollFor(long youngestRunningNanos) {
    return known() ? (int) Math.min(maxWaiting, startingWithinHorizon(youngestRunningNanos)) : 0;
  }

  /**
   * Waiting tasks the worker keeps; those beyond go back to the queue. No limit while the estimate
   * says they start within the horizon (a large bundle of short tasks is kept whole).
   *
   * @param youngestRunningNanos the youngest running task's age when every slot is busy, else 0
   */
  int waitingToKeep(long youngestRunningNanos) {
    return (int) Math.min(Integer.MAX_VALUE, startingWithinHorizon(youngestRunningNanos));
  }

  /** Tasks the slots start within the horizon, after the ones running now. */
  private long startingWithinHorizon(long youngestRunningNanos) {
    long duration = estimateNanos(youngestRunningNanos);
    return duration == 0 ? Long.MAX_VALUE : slots * (horizonNanos / duration);
  }
}
