package dev.shoal.executor;

import dev.shoal.spi.PublishListener;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the task queue's {@link QueueDepth#TASKS_PER_MESSAGE_TAG} label up to date with how many
 * tasks this publisher's recent messages carried, so that a dispatcher that only sees message
 * counts (a Lambda on its schedule, with no nudge to tell it) sizes the pool from tasks.
 *
 * <p>The figure is an average over about the last hundred messages, each message's weight halving
 * every seventy messages since, so a burst's bundles count while they are queued and a later
 * trickle of single tasks brings it back down. It is written only when it has moved by a quarter
 * since it was last written, at most once a second (the last move is always written, on the
 * timer), one write at a time; a failed write is tried again at the next publish. A transport that
 * cannot label queues, or a client not allowed to, is told once in the log; a dispatcher then falls
 * back to its own estimate.
 */
final class BundlingRecord implements PublishListener {
  private static final Logger log = LoggerFactory.getLogger(BundlingRecord.class);
  /** Each message's weight is multiplied by this for every message published after it. */
  private static final double DECAY = 0.99;
  private static final double MOVE = 1.25;
  private static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  private final String label;
  private final Transport transport;
  private final String queue;
  private final ScheduledExecutorService timer;
  private final long minIntervalNanos;

  // Guarded by this.
  private double tasks;
  private double messages;
  private double written = Double.NaN;
  private long lastWrite;
  private boolean writing;
  private boolean scheduled;
  private boolean disabled;

  BundlingRecord(String label, Transport transport, String queue, ScheduledExecutorService timer) {
    this(label, transport, queue, timer, MIN_INTERVAL);
  }

  /** With another least interval between writes (tests). */
  BundlingRecord(String label, Transport transport, String queue, ScheduledExecutorService timer,
      Duration minInterval) {
    this.label = label;
    this.transport = transport;
    this.queue = queue;
    this.timer = timer;
    this.minIntervalNanos = minInterval.toNanos();
    this.lastWrite = System.nanoTime() - minIntervalNanos;
  }

  @Override
  public synchronized void published(int tasks, int messages) {
    if (tasks <= 0 || messages <= 0) {
      return;
    }
    double kept = Math.pow(DECAY, messages);
    this.tasks = this.tasks * kept + tasks;
    this.messages = this.messages * kept + messages;
    writeIfMoved();
  }

  /** Tasks per message over the recent messages; 1 before any. */
  synchronized double tasksPerMessage() {
    return messages == 0 ? 1 : tasks / messages;
  }

  private synchronized void writeIfMoved() {
    double current = tasksPerMessage();
    if (disabled || writing || scheduled || !moved(current)) {
      return;
    }
    long wait = lastWrite + minIntervalNanos - System.nanoTime();
    if (wait > 0) {
      scheduled = true;
      try {
        timer.schedule(this::scheduledWrite, wait, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException stopped) {
        scheduled = false;
      }
      return;
    }
    write(current);
  }

  private synchronized void scheduledWrite() {
    scheduled = false;
    writeIfMoved();
  }

  private boolean moved(double current) {
    return Double.isNaN(written) || current >= written * MOVE || current * MOVE <= written;
  }

  private void write(double value) {
    writing = true;
    Map<String, String> tag = Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, String.format(Locale.ROOT, "%.1f", value));
    CompletableFuture<Void> call;
    try {
      call = transport.tagQueue(queue, tag);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete((ok, error) -> written(value, error));
  }

  private synchronized void written(double value, Throwable error) {
    writing = false;
    lastWrite = System.nanoTime();
    if (error == null) {
      written = value;
      writeIfMoved(); // what was published meanwhile
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof TransportException te && !te.retryable()) {
      disabled = true;
      log.warn("executor {}: cannot record tasks per message on {} ({}); a dispatcher sizing the pool from this "
          + "queue falls back to its own estimate", label, queue, cause.getMessage());
    } else {
      // The next publish tries again.
      log.debug("executor {}: recording tasks per message on {} failed: {}", label, queue, cause.toString());
    }
  }
}
