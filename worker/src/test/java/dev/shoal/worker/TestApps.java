package dev.shoal.worker;

import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Apps the worker tests run, found through META-INF/services like a user's library. */
public final class TestApps implements AppLibrary {
  static final App1<Long, Long> SQUARE = Apps.define("test.square").java(Long.class, Long.class, x -> x * x);
  static final App1<Long, Long> NOOP = Apps.define("test.noop").java(Long.class, Long.class, x -> x);
  static final App2<String, Long, String> REPEAT = Apps.define("test.repeat")
      .java(String.class, Long.class, String.class, (text, times) -> text.repeat(times.intValue()));
  static final App1<String, String> FAIL = Apps.define("test.fail").java(String.class, String.class, message -> {
    throw new IllegalStateException(message);
  });
  /** Counts its executions under a key, then sleeps: a task that takes time (the sleep is the work, not a wait). */
  static final App2<String, Long, Long> COUNT = Apps.define("test.count")
      .java(String.class, Long.class, Long.class, (key, sleepMillis) -> {
        long n = counter(key).incrementAndGet();
        Thread.sleep(sleepMillis);
        return n;
      });
  /** Signals that it started, then waits until its gate is opened. */
  static final App1<String, String> BLOCK = Apps.define("test.block").java(String.class, String.class, key -> {
    Gate gate = gate(key);
    gate.started.countDown();
    if (!gate.open.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate " + key + " was never opened");
    }
    return key;
  });

  // Tests use fresh keys, so these maps are shared only by design.
  private static final Map<String, AtomicInteger> COUNTS = new ConcurrentHashMap<>();
  private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

  record Gate(CountDownLatch started, CountDownLatch open) {}

  static AtomicInteger counter(String key) {
    return COUNTS.computeIfAbsent(key, k -> new AtomicInteger());
  }

  static Gate gate(String key) {
    return GATES.computeIfAbsent(key, k -> new Gate(new CountDownLatch(1), new CountDownLatch(1)));
  }

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SQUARE, NOOP, REPEAT, FAIL, COUNT, BLOCK);
  }
}
