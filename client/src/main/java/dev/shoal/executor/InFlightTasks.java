package dev.shoal.executor;

import dev.shoal.spi.Invocation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The task attempts a queue executor has sent and not yet heard back from. Each attempt is settled
 * exactly once, by whichever comes first of its result, its deadline, a failure to publish it, or a
 * cancellation; anything later for the same attempt (a duplicate delivery, a result of an earlier
 * attempt) is dropped. Settling runs on the kernel's completion executor, never on the caller's
 * thread, because completing a task runs user callbacks and launches its dependents.
 */
final class InFlightTasks {
  private record Entry(Invocation invocation, int attempt, long deadlineNanos) {}

  private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
  private final Executor completions;
  private final LongAdder duplicates = new LongAdder();

  InFlightTasks(Executor completions) {
    this.completions = completions;
  }

  /** Tracks a new attempt; it must settle by {@code deadlineNanos} ({@link System#nanoTime()} scale). */
  void add(Invocation invocation, long deadlineNanos) {
    entries.put(invocation.taskId(), new Entry(invocation, invocation.attempt(), deadlineNanos));
  }

  /**
   * Settles this attempt with {@code outcome}, unless it was settled already.
   *
   * @return false for a duplicate or stale report, which is counted and dropped
   */
  boolean settle(long taskId, int attempt, Consumer<Invocation> outcome) {
    Entry entry = entries.get(taskId);
    if (entry == null || entry.attempt != attempt || !entries.remove(taskId, entry)) {
      duplicates.increment();
      return false;
    }
    run(entry.invocation, outcome);
    return true;
  }

  /**
   * Settles the attempts these reports are for, each with {@code outcome}, in one hand-off to the
   * completion executor: results arrive bundled, and a hand-off per result would cost more than
   * most results take to complete. Reports of attempts settled already are counted and dropped.
   */
  <T> void settleAll(List<T> reports, ToLongFunction<T> taskId, ToIntFunction<T> attempt,
      BiConsumer<Invocation, T> outcome) {
    List<Invocation> claimed = new ArrayList<>(reports.size());
    List<T> claimedReports = new ArrayList<>(reports.size());
    for (T report : reports) {
      long id = taskId.applyAsLong(report);
      Entry entry = entries.get(id);
      if (entry == null || entry.attempt != attempt.applyAsInt(report) || !entries.remove(id, entry)) {
        duplicates.increment();
        continue;
      }
      claimed.add(entry.invocation);
      claimedReports.add(report);
    }
    if (claimed.isEmpty()) {
      return;
    }
    Runnable settle = () -> {
      for (int i = 0; i < claimed.size(); i++) {
        try {
          outcome.accept(claimed.get(i), claimedReports.get(i));
        } catch (RuntimeException e) {
          // One task's completion must not keep the rest of the bundle from theirs.
          claimed.get(i).failed(e);
        }
      }
    };
    try {
      completions.execute(settle);
    } catch (RejectedExecutionException stopped) {
      settle.run();
    }
  }

  /** The attempt still out, without settling it; null once it settled (or for another attempt). */
  Invocation peek(long taskId, int attempt) {
    Entry entry = entries.get(taskId);
    return entry == null || entry.attempt() != attempt ? null : entry.invocation();
  }

  /** Fails every attempt whose deadline has passed. */
  void expire(long nowNanos, Function<Invocation, Throwable> error) {
    entries.forEach((id, entry) -> {
      if (entry.deadlineNanos - nowNanos < 0 && entries.remove(id, entry)) {
        Throwable timeout = error.apply(entry.invocation);
        run(entry.invocation, invocation -> {
          if (invocation.started()) {
            invocation.failed(timeout);
          }
        });
      }
    });
  }

  /** Fails every attempt still out. */
  void failAll(Function<Invocation, Throwable> error) {
    entries.forEach((id, entry) -> {
      if (entries.remove(id, entry)) {
        Throwable cause = error.apply(entry.invocation);
        run(entry.invocation, invocation -> invocation.failed(cause));
      }
    });
  }

  /** Results dropped because their attempt had been settled already. */
  long duplicates() {
    return duplicates.sum();
  }

  int size() {
    return entries.size();
  }

  private void run(Invocation invocation, Consumer<Invocation> outcome) {
    try {
      completions.execute(() -> outcome.accept(invocation));
    } catch (RejectedExecutionException stopped) {
      // The kernel stops its completion executor only after its executors closed; whatever is
      // settled after that still reaches its future.
      outcome.accept(invocation);
    }
  }
}
