package dev.shoal.dispatcher;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs an action on an executor when asked, with requests that arrive before it starts folded into
 * one run; a request made while it runs gets one more run, so the latest state is always seen.
 * {@link #request()} never blocks, so it may be called from any thread, however hot.
 */
final class Coalescer {
  private final Executor executor;
  private final Runnable action;
  private final AtomicBoolean requested = new AtomicBoolean();

  Coalescer(Executor executor, Runnable action) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.action = Objects.requireNonNull(action, "action");
  }

  void request() {
    if (!requested.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(() -> {
        // Cleared before the run, not after: what changes during the run asks for another.
        requested.set(false);
        action.run();
      });
    } catch (RejectedExecutionException e) {
      // The executor is shut down: there is nothing left to run for.
      requested.set(false);
    }
  }
}
