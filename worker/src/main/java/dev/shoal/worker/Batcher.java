package dev.shoal.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces items bound for one destination into as few requests as possible without a linger
 * timer: an item that finds the batcher idle goes out at once; items that arrive while a request
 * is in flight wait for it and leave together in the next one. Under light load that costs no
 * latency, under heavy load the batches grow by themselves.
 *
 * <p>A failed request is retried with exponential backoff (the batch keeps accumulating meanwhile)
 * until {@code retryLimit} has passed since its first failure; then the batch is given up.
 */
final class Batcher<T> {
  private static final Logger log = LoggerFactory.getLogger(Batcher.class);
  private static final long FIRST_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final String name;
  private final Function<List<T>, CompletableFuture<Void>> sink;
  private final Consumer<List<T>> onSent;
  private final BiConsumer<List<T>, Throwable> onGivenUp;
  private final ScheduledExecutorService timer;
  private final long retryLimitNanos;
  private final BooleanSupplier abandoned;

  private List<T> pending = new ArrayList<>();
  private boolean busy;

  Batcher(String name, Function<List<T>, CompletableFuture<Void>> sink, Consumer<List<T>> onSent,
      BiConsumer<List<T>, Throwable> onGivenUp, ScheduledExecutorService timer, Duration retryLimit,
      BooleanSupplier abandoned) {
    this.name = name;
    this.sink = sink;
    this.onSent = onSent;
    this.onGivenUp = onGivenUp;
    this.timer = timer;
    this.retryLimitNanos = retryLimit.toNanos();
    this.abandoned = abandoned;
  }

  void add(T item) {
    synchronized (this) {
      pending.add(item);
      if (busy) {
        return;
      }
      busy = true;
    }
    drain();
  }

  // Loops rather than recursing when the sink completes at once (an in-memory transport does),
  // so a long run of immediate completions cannot grow the stack.
  private void drain() {
    while (true) {
      List<T> batch;
      synchronized (this) {
        if (pending.isEmpty()) {
          busy = false;
          return;
        }
        batch = pending;
        pending = new ArrayList<>();
      }
      if (!attempt(batch, 0, 0)) {
        return;
      }
    }
  }

  /** True when the batch was settled synchronously and the caller should go on draining. */
  private boolean attempt(List<T> batch, int tries, long firstFailure) {
    CompletableFuture<Void> request = send(batch);
    if (request.isDone()) {
      return settle(batch, request, tries, firstFailure);
    }
    request.whenComplete((ignored, error) -> {
      if (settle(batch, request, tries, firstFailure)) {
        drain();
      }
    });
    return false;
  }

  private CompletableFuture<Void> send(List<T> batch) {
    try {
      return sink.apply(batch);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private boolean settle(List<T> batch, CompletableFuture<Void> request, int tries, long firstFailure) {
    Throwable error = failure(request);
    if (error == null) {
      notify(onSent, batch, null);
      return true;
    }
    long now = System.nanoTime();
    long first = tries == 0 ? now : firstFailure;
    if (now - first < retryLimitNanos && !abandoned.getAsBoolean()) {
      long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(tries, 16));
      if (tries == 0) {
        log.warn("{}: {} item(s) failed, retrying for up to {} s: {}", name, batch.size(),
            TimeUnit.NANOSECONDS.toSeconds(retryLimitNanos), error.toString());
      } else {
        log.debug("{}: retry {} failed: {}", name, tries, error.toString());
      }
      try {
        timer.schedule(() -> {
          if (attempt(batch, tries + 1, first)) {
            drain();
          }
        }, backoff, TimeUnit.MILLISECONDS);
        return false;
      } catch (RejectedExecutionException stopped) {
        // The worker is stopping: give up below.
      }
    }
    log.warn("{}: gave up on {} item(s) after {} tries: {}", name, batch.size(), tries + 1, error.toString());
    notify(null, batch, error);
    return true;
  }

  // A callback that throws must not leave the batcher busy forever.
  private void notify(Consumer<List<T>> sent, List<T> batch, Throwable error) {
    try {
      if (sent != null) {
        sent.accept(batch);
      } else {
        onGivenUp.accept(batch, error);
      }
    } catch (RuntimeException e) {
      log.error("{}: callback failed", name, e);
    }
  }

  private static Throwable failure(CompletableFuture<Void> request) {
    try {
      request.get();
      return null;
    } catch (ExecutionException | CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }
}
