package dev.shoal.worker;

import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A worker's transport that notes when the worker last got an answer from its queue service, and
 * which calls are still waiting for one: the worker's sign of progress. A worker that works talks
 * to its queue all the time, whether idle (a long poll at least every receive wait) or busy (its
 * leases renewed every third of a lease), so no answer for a while, or a call that never returns,
 * means the worker is stuck, whatever its JVM still does.
 *
 * <p>It passes every call through unchanged; it does not own the transport it wraps beyond
 * {@link #close()}, which closes it.
 */
final class ActivityTrackingTransport extends ForwardingTransport {
  private final Clock clock;
  private final Instant started;
  private final Map<Object, Instant> outstanding = new ConcurrentHashMap<>();
  private volatile Instant lastAnswer;

  ActivityTrackingTransport(Transport delegate, Clock clock) {
    super(delegate);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.started = clock.instant();
  }

  /**
   * Whether the worker made progress within {@code limit} at {@code now}: some call was answered
   * (or tracking started) within it, and no call has been waiting longer. A failed call counts as
   * an answer: the worker's loop runs, and a worker that cannot reach its queue gives up by itself.
   */
  boolean isActive(Instant now, Duration limit) {
    return stalledFor(now).compareTo(limit) < 0;
  }

  /** How long the worker has gone without progress at {@code now}: zero when a call was answered just now. */
  Duration stalledFor(Instant now) {
    Instant answered = lastAnswer != null ? lastAnswer : started;
    Duration stalled = Duration.between(answered, now);
    for (Instant since : outstanding.values()) {
      Duration waiting = Duration.between(since, now);
      if (waiting.compareTo(stalled) > 0) {
        stalled = waiting;
      }
    }
    return stalled.isNegative() ? Duration.ZERO : stalled;
  }

  @Override
  protected <T> CompletableFuture<T> forward(String operation, Supplier<CompletableFuture<T>> call) {
    Object token = new Object();
    outstanding.put(token, clock.instant());
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException | Error e) {
      answered(token);
      throw e;
    }
    future.whenComplete((ignored, error) -> answered(token));
    return future;
  }

  private void answered(Object token) {
    outstanding.remove(token);
    Instant now = clock.instant();
    synchronized (this) {
      if (lastAnswer == null || now.isAfter(lastAnswer)) {
        lastAnswer = now;
      }
    }
  }
}
