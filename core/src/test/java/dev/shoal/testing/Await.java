package dev.shoal.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something to happen, checking it again and again until a deadline: the one way the
 * tests wait, instead of sleeping for a guessed time. A condition that holds at once costs nothing;
 * the pauses between checks grow from 1 ms to 50 ms, so that a condition that takes a while is not
 * checked in a busy loop. Past the deadline the test fails with an {@link AssertionError} that says
 * what it waited for and for how long.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(30), () -> workers.list().size() == 2, () -> "two workers");
 * }</pre>
 */
public final class Await {
  private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
  private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(50).toNanos();

  private Await() {}

  /**
   * Returns once {@code condition} holds; fails if it still does not after {@code timeout}.
   *
   * @param what what is awaited, for the failure message (read only on failure, so it may
   *     describe the state at that moment)
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
    untilPresent(timeout, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty(), what);
  }

  /**
   * Returns the first value {@code probe} finds; fails if it finds none within {@code timeout}.
   *
   * @param what what is awaited, for the failure message (read only on failure)
   */
  public static <T> T untilPresent(Duration timeout, Supplier<Optional<T>> probe, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      Optional<T> found = probe.get();
      if (found.isPresent()) {
        return found.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out after " + describe(timeout) + " waiting for " + what.get());
      }
      // The last pause ends at the deadline, so that the condition gets one more check there.
      long nanos = Math.min(pause, left);
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what.get(), e);
      }
      pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
    }
  }

  /** "30 s", "1.5 s", "200 ms": easier to read in a failure than Duration's "PT30S". */
  static String describe(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000) {
      return millis + " ms";
    }
    return millis % 1_000 == 0 ? millis / 1_000 + " s" : millis / 1_000.0 + " s";
  }
}
