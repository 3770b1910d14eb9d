package dev.shoal.dispatcher;

import java.util.function.DoubleSupplier;

/**
 * A function host's estimate of the tasks a task-queue message carries, for its {@link ScalingStep}
 * ({@link ScalingStep.Builder#tasksPerMessage}): the ratio the last nudge reported (a client's
 * nudge says how many tasks it published in how many messages), else a configured fallback. The
 * step prefers the queue's own record; this is what it uses where the client could not write one.
 *
 * <p>It lives as long as the warm host that holds it: a new instance knows only the fallback until
 * the next nudge. Thread-safe.
 */
public final class NudgedTasksPerMessage implements DoubleSupplier {
  private final double fallback;
  /** Tasks per message as the last nudge counted them; NaN before any. */
  private volatile double nudged = Double.NaN;

  /** @param fallback the ratio before any nudge has said (the host's setting; values below 1 count as 1) */
  public NudgedTasksPerMessage(double fallback) {
    this.fallback = fallback;
  }

  /**
   * Remembers what a nudge reported; a nudge without both counts (a bare "wake up") changes nothing.
   *
   * @return whether the estimate took the nudge's ratio
   */
  public boolean heard(long tasks, long messages) {
    if (tasks > 0 && messages > 0) {
      nudged = (double) tasks / messages;
      return true;
    }
    return false;
  }

  @Override
  public double getAsDouble() {
    double last = nudged;
    return Double.isNaN(last) ? fallback : last;
  }

  @Override
  public String toString() {
    return "NudgedTasksPerMessage[" + getAsDouble() + "]";
  }
}
