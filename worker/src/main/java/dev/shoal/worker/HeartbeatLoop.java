package dev.shoal.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beats a worker's {@link Heartbeat} every period while the worker makes progress on its queue (see
 * {@link ActivityTrackingTransport}), and not otherwise: a worker whose polls hang, or whose JVM
 * is too sick to run this loop, falls silent, and the dispatcher ends it. The first beat is at
 * once, which is what tells the dispatcher that the worker polls.
 *
 * <p>Its thread is a daemon, so it never keeps a finished worker's JVM alive; {@link #close()}
 * stops it and closes the heartbeat.
 */
final class HeartbeatLoop implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

  private final String workerId;
  private final Heartbeat heartbeat;
  private final ActivityTrackingTransport activity;
  private final Duration stallLimit;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  // Only the loop's thread touches it (and tests, which call beatIfActive directly instead).
  private boolean silent;

  private HeartbeatLoop(String workerId, Heartbeat heartbeat, ActivityTrackingTransport activity,
      Duration stallLimit, Clock clock) {
    this.workerId = workerId;
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    this.activity = Objects.requireNonNull(activity, "activity");
    this.stallLimit = Objects.requireNonNull(stallLimit, "stallLimit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread beating = new Thread(runnable, "shoal-worker-heartbeat");
      beating.setDaemon(true);
      return beating;
    });
  }

  /** A loop that is not running yet: tests call {@link #beatIfActive()} themselves. */
  static HeartbeatLoop unstarted(String workerId, Heartbeat heartbeat, ActivityTrackingTransport activity,
      Duration stallLimit, Clock clock) {
    return new HeartbeatLoop(workerId, heartbeat, activity, stallLimit, clock);
  }

  /** Beats now, then every {@code period} while the worker makes progress. */
  static HeartbeatLoop start(String workerId, Heartbeat heartbeat, ActivityTrackingTransport activity,
      Duration period, Duration stallLimit, Clock clock) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the heartbeat period must be positive: " + period);
    }
    HeartbeatLoop loop = new HeartbeatLoop(workerId, heartbeat, activity, stallLimit, clock);
    loop.thread.scheduleWithFixedDelay(loop::beatSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    log.info("worker {}: heartbeat every {} while it makes progress", workerId, period);
    return loop;
  }

  /** Beats if the worker made progress within the stall limit; true when it beat. */
  boolean beatIfActive() {
    Duration stalled = activity.stalledFor(clock.instant());
    if (stalled.compareTo(stallLimit) >= 0) {
      if (!silent) {
        log.warn("worker {}: no answer from the queue service for {} (limit {}); no heartbeat until there is",
            workerId, stalled, stallLimit);
        silent = true;
      }
      return false;
    }
    if (silent) {
      log.info("worker {}: making progress again; heartbeat resumed", workerId);
      silent = false;
    }
    heartbeat.beat();
    return true;
  }

  private void beatSafely() {
    try {
      beatIfActive();
    } catch (RuntimeException e) {
      // A periodic task that throws is never run again; the next period tries again.
      log.warn("worker {}: heartbeat failed: {}", workerId, e.toString());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heartbeat.close();
    }
  }
}
