package dev.shoal.dispatcher;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.WorkerInstance;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;

/**
 * What the {@link ScalingPolicy} looks at: the task queue and the pool, as one host read them at
 * one moment. Time comes in as {@code idleFor}, so the policy itself reads no clock.
 *
 * @param visibleMessages messages waiting in the task queue
 * @param inFlightMessages messages received by workers and not yet acknowledged
 * @param tasksPerMessage the average tasks a message carries (bundles carry many); at least 1
 * @param runningWorkers workers polling the queue
 * @param pendingWorkers workers launched that do not poll yet
 * @param idleFor how long the queue has been empty (zero while it is not)
 */
public record ScalingInput(long visibleMessages, long inFlightMessages, double tasksPerMessage, int runningWorkers,
    int pendingWorkers, Duration idleFor) {

  public ScalingInput {
    if (visibleMessages < 0 || inFlightMessages < 0) {
      throw new IllegalArgumentException("message counts must be >= 0: " + visibleMessages + ", " + inFlightMessages);
    }
    if (!(tasksPerMessage >= 1) || Double.isInfinite(tasksPerMessage)) {
      throw new IllegalArgumentException("tasksPerMessage must be a number >= 1: " + tasksPerMessage);
    }
    if (runningWorkers < 0 || pendingWorkers < 0) {
      throw new IllegalArgumentException("worker counts must be >= 0: " + runningWorkers + ", " + pendingWorkers);
    }
    Objects.requireNonNull(idleFor, "idleFor");
    if (idleFor.isNegative()) {
      throw new IllegalArgumentException("idleFor must not be negative: " + idleFor);
    }
  }

  /** The input for a queue's depth and a provider's listing of its pool. */
  public static ScalingInput of(QueueDepth depth, double tasksPerMessage, Collection<WorkerInstance> workers,
      Duration idleFor) {
    int running = 0;
    int pending = 0;
    for (WorkerInstance worker : workers) {
      if (worker.state() == WorkerInstance.State.RUNNING) {
        running++;
      } else {
        pending++;
      }
    }
    return new ScalingInput(depth.visible(), depth.inFlight(), tasksPerMessage, running, pending, idleFor);
  }

  /** Messages queued or being worked on. */
  public long messages() {
    return visibleMessages + inFlightMessages;
  }

  /** Tasks queued or being worked on, by the estimate of tasks per message. */
  public long demandTasks() {
    return (long) Math.ceil(messages() * tasksPerMessage);
  }

  /** Running and pending workers: pending ones are capacity already paid for. */
  public int currentWorkers() {
    return runningWorkers + pendingWorkers;
  }
}
