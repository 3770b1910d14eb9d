package dev.shoal.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every cloud's client-side nudge has in common: at most one nudge per interval, everything
 * published since the last one carried by the next (so the dispatcher's tasks-per-message estimate
 * counts whole bursts, not their first publish), and the call itself on a thread of its own, since
 * a {@link PublishListener} runs on the transport's I/O thread and must never block it. A failed
 * nudge is logged and dropped: the dispatcher's schedule still runs, and it reads the queue itself.
 *
 * <p>A cloud module gives the call ({@link Target}); see {@code LambdaNudger} and {@code FunctionNudger}.
 */
public final class ThrottledNudger implements PublishListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ThrottledNudger.class);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /** One nudge: tasks published since the last one, and the queue messages they went in. */
  public record Nudge(long tasks, long messages) {
    /** The payload both dispatchers read: {@code {"source":"shoal.nudge","tasks":N,"messages":M}}. */
    public String toJson() {
      return "{\"source\":\"shoal.nudge\",\"tasks\":" + tasks + ",\"messages\":" + messages + "}";
    }
  }

  /** Sends one nudge to a dispatcher; may block, and may throw (the failure is logged). */
  @FunctionalInterface
  public interface Target {
    void nudge(Nudge nudge) throws Exception;
  }

  private final String dispatcher;
  private final Target target;
  private final long minIntervalNanos;
  private final Clock clock;
  private final ExecutorService sender;
  private final AtomicLong pendingTasks = new AtomicLong();
  private final AtomicLong pendingMessages = new AtomicLong();
  private final AtomicLong lastNudge = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  private ThrottledNudger(String dispatcher, Target target, Duration minInterval, Clock clock) {
    if (minInterval.isNegative()) {
      throw new IllegalArgumentException("interval must not be negative: " + minInterval);
    }
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.target = Objects.requireNonNull(target, "target");
    this.minIntervalNanos = minInterval.toNanos();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sender = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "shoal-nudge-" + dispatcher);
      thread.setDaemon(true);
      return thread;
    });
  }

  /**
   * A nudger that calls {@code target} at most once per {@code minInterval} (by {@code clock}).
   *
   * @param dispatcher names the dispatcher in log lines (a function name or URL without secrets)
   */
  public static ThrottledNudger create(String dispatcher, Target target, Duration minInterval, Clock clock) {
    return new ThrottledNudger(dispatcher, target, minInterval, clock);
  }

  @Override
  public void published(int tasks, int messages) {
    if (tasks <= 0) {
      return;
    }
    pendingTasks.addAndGet(tasks);
    pendingMessages.addAndGet(Math.max(0, messages));
    long now = clock.millis() * 1_000_000L;
    long last = lastNudge.get();
    if (last != Long.MIN_VALUE && now - last < minIntervalNanos) {
      return; // carried by the next nudge
    }
    if (!lastNudge.compareAndSet(last, now)) {
      return; // another thread nudges right now
    }
    try {
      sender.execute(this::sendPending);
    } catch (RejectedExecutionException e) {
      log.debug("nudger for {} is closed; not nudging", dispatcher);
    }
  }

  private void sendPending() {
    Nudge nudge = new Nudge(pendingTasks.getAndSet(0), pendingMessages.getAndSet(0));
    try {
      target.nudge(nudge);
      sent.incrementAndGet();
    } catch (Exception e) {
      failed.incrementAndGet();
      log.warn("could not nudge dispatcher {}: {}", dispatcher, e.toString());
    }
  }

  /** Nudges that reached the dispatcher so far. */
  public long sent() {
    return sent.get();
  }

  /** Nudges that failed so far (each logged). */
  public long failed() {
    return failed.get();
  }

  /** Lets a nudge under way finish (for a few seconds at most); none is made after. */
  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      sender.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
