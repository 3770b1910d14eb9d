package dev.shoal;

import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.App3;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apps used by the client tests, published through
 * {@code META-INF/services/dev.shoal.app.AppLibrary}. Apps that need to count calls or to wait
 * take a per-test key and look their counter or latch up in {@link #COUNTERS} and {@link #GATES};
 * each test uses its own keys (see {@link #key()}), so tests cannot see each other's state.
 */
public final class TestApps implements AppLibrary {
  /** Per-test call counters, keyed by {@link #key()}. Test code only. */
  static final Map<String, AtomicInteger> COUNTERS = new ConcurrentHashMap<>();
  /** Per-test latches that gate apps, keyed by the test. Test code only. */
  static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();
  private static final AtomicInteger KEYS = new AtomicInteger();

  static final App1<Long, Long> INC = Apps.define("test.inc").java(Long.class, Long.class, x -> x + 1);

  static final App2<Long, Long, Long> ADD = Apps.define("test.add").java(Long.class, Long.class, Long.class, Long::sum);

  static final App1<List<Long>, Long> SUM = Apps.define("test.sum")
      .java(TypeRef.listOf(Long.class), TypeRef.of(Long.class), TestApps::sum);

  /** Throws an {@link IllegalStateException} with this message, from {@link #explode}. */
  static final App1<String, Long> BOOM = Apps.define("test.boom").java(String.class, Long.class, TestApps::explode);

  /** Counts its calls under {@code key} and returns {@code x * x}; memoizes. */
  static final App2<String, Long, Long> COUNTED_SQUARE = Apps.define("test.counted-square")
      .memoize()
      .java(String.class, Long.class, Long.class, (key, x) -> {
        counter(key).incrementAndGet();
        return x * x;
      });

  /** Like {@link #COUNTED_SQUARE} but does not memoize. */
  static final App2<String, Long, Long> COUNTED_SQUARE_NO_MEMO = Apps.define("test.counted-square-no-memo")
      .java(String.class, Long.class, Long.class, (key, x) -> {
        counter(key).incrementAndGet();
        return x * x;
      });

  /** Memoized sum that counts its calls under {@code key}. */
  static final App2<String, List<Long>, Long> COUNTED_SUM = Apps.define("test.counted-sum")
      .memoize()
      .java(TypeRef.of(String.class), TypeRef.listOf(Long.class), TypeRef.of(Long.class), (key, values) -> {
        counter(key).incrementAndGet();
        return sum(values);
      });

  /** Fails with an IOException on its first {@code failures} calls under {@code key}, then returns the call number. */
  static final App2<String, Integer, Integer> FLAKY = Apps.define("test.flaky")
      .java(String.class, Integer.class, Integer.class, TestApps::flaky);

  /** {@link #FLAKY} with its own retry count of 3, whatever the run's default. */
  static final App2<String, Integer, Integer> FLAKY_RETRIES_3 = Apps.define("test.flaky-retries-3")
      .retries(3)
      .java(String.class, Integer.class, Integer.class, TestApps::flaky);

  /** {@link #FLAKY} that never retries, whatever the run's default. */
  static final App2<String, Integer, Integer> FLAKY_RETRIES_0 = Apps.define("test.flaky-retries-0")
      .retries(0)
      .java(String.class, Integer.class, Integer.class, TestApps::flaky);

  /** Counts its call under {@code key}, then throws an IllegalArgumentException. */
  static final App1<String, Integer> INVALID = Apps.define("test.invalid").java(String.class, Integer.class, key -> {
    counter(key).incrementAndGet();
    throw new IllegalArgumentException("bad input " + key);
  });

  /**
   * Counts the call under {@code key + "/started"} and opens the gate of that name, waits for the gate {@code key}, then returns
   * {@code value}. Records an interruption under {@code key + "/interrupted"} and rethrows it.
   */
  static final App2<String, Long, Long> GATED = Apps.define("test.gated").java(String.class, Long.class, Long.class, (key, value) -> {
    counter(key + "/started").incrementAndGet();
    gate(key + "/started").countDown();
    try {
      if (!gate(key).await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate " + key + " was never opened");
      }
    } catch (InterruptedException e) {
      counter(key + "/interrupted").incrementAndGet();
      throw e;
    }
    return value;
  });

  /** {@link #GATED}, memoized. */
  static final App2<String, Long, Long> GATED_MEMO = Apps.define("test.gated-memo").memoize()
      .java(String.class, Long.class, Long.class, (key, value) -> {
        if (!gate(key).await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("gate " + key + " was never opened");
        }
        return value;
      });

  /** Waits for the gate {@code key}, then throws an IllegalStateException with this message. */
  static final App1<String, Long> GATED_BOOM = Apps.define("test.gated-boom").java(String.class, Long.class, key -> {
    if (!gate(key).await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate " + key + " was never opened");
    }
    throw new IllegalStateException("failed after gate " + key);
  });

  /** Memoized, counts its calls under {@code key}; fails on the first call once the gate {@code key} opens. */
  static final App1<String, Integer> FAIL_FIRST_MEMO = Apps.define("test.fail-first-memo")
      .memoize()
      .java(String.class, Integer.class, key -> {
        int call = counter(key).incrementAndGet();
        if (call == 1) {
          gate(key).await(60, TimeUnit.SECONDS);
          throw new IOException("first call fails");
        }
        return call;
      });

  /** The name of the thread the app ran on. */
  static final App1<Long, String> THREAD_NAME = Apps.define("test.thread-name")
      .java(Long.class, String.class, x -> Thread.currentThread().getName());

  /** {@link #THREAD_NAME}, asking for the executor labelled "b". */
  static final App1<Long, String> THREAD_NAME_ON_B = Apps.define("test.thread-name-on-b")
      .executor("b")
      .java(Long.class, String.class, x -> Thread.currentThread().getName());

  /** Asks for an executor no test configures. */
  static final App1<Long, Long> ON_MISSING_EXECUTOR = Apps.define("test.on-missing-executor")
      .executor("no-such-executor")
      .java(Long.class, Long.class, x -> x);

  /** {@code self * 1_000_003 ^ (31 * a + b)}: a result that depends on exactly which inputs arrived. */
  static final App3<Long, Long, Long, Long> MIX = Apps.define("test.mix")
      .java(Long.class, Long.class, Long.class, Long.class, TestApps::mix);

  /** Runs a shell line. */
  static final App1<String, CommandResult> SHELL = Apps.define("test.shell").command(String.class, Command::shell);

  /** Runs a shell line with one extra environment variable. */
  static final App3<String, String, String, CommandResult> SHELL_WITH_ENV = Apps.define("test.shell-with-env")
      .command(String.class, String.class, String.class,
          (line, name, value) -> Command.shell(line).withEnv(Map.of(name, value)));

  /** Runs a shell line, killed after 300 ms. */
  static final App1<String, CommandResult> SHELL_300MS = Apps.define("test.shell-300ms")
      .walltime(java.time.Duration.ofMillis(300))
      .command(String.class, Command::shell);

  static long mix(long self, long a, long b) {
    return (self * 1_000_003L) ^ (31 * a + b);
  }

  static long sum(List<Long> values) {
    long total = 0;
    for (long value : values) {
      total += value;
    }
    return total;
  }

  static Long explode(String message) {
    throw new IllegalStateException(message);
  }

  static Integer flaky(String key, Integer failures) throws IOException {
    int call = counter(key).incrementAndGet();
    if (call <= failures) {
      throw new IOException("attempt " + call + " of " + key + " fails");
    }
    return call;
  }

  static AtomicInteger counter(String key) {
    return COUNTERS.computeIfAbsent(key, k -> new AtomicInteger());
  }

  static int count(String key) {
    AtomicInteger counter = COUNTERS.get(key);
    return counter == null ? 0 : counter.get();
  }

  static CountDownLatch gate(String key) {
    return GATES.computeIfAbsent(key, k -> new CountDownLatch(1));
  }

  /** A key no other test uses. */
  static String key() {
    return "k" + KEYS.incrementAndGet() + "-" + System.nanoTime();
  }

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(INC, ADD, SUM, BOOM, COUNTED_SQUARE, COUNTED_SQUARE_NO_MEMO, COUNTED_SUM, FLAKY, FLAKY_RETRIES_3,
        FLAKY_RETRIES_0, INVALID, GATED, GATED_MEMO, GATED_BOOM, FAIL_FIRST_MEMO, THREAD_NAME, THREAD_NAME_ON_B, ON_MISSING_EXECUTOR, MIX,
        SHELL, SHELL_WITH_ENV, SHELL_300MS);
  }
}
