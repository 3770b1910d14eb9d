package dev.shoal.taskdb;

import dev.shoal.app.App;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Apps the task database's tests run, in this JVM and in worker JVMs. */
public final class MonitorTestApps implements AppLibrary {
  /** Gates that tests open; in this JVM only. */
  static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

  public static final App1<Long, Long> SQUARE = Apps.define("taskdb.square").java(Long.class, Long.class, x -> x * x);

  public static final App1<List<Long>, Long> TOTAL = Apps.define("taskdb.total")
      .java(TypeRef.listOf(Long.class), TypeRef.of(Long.class), values -> values.stream().mapToLong(Long::longValue).sum());

  public static final App1<String, Long> FAIL = Apps.define("taskdb.fail").java(String.class, Long.class, message -> {
    throw new IllegalArgumentException(message);
  });

  public static final App1<Long, Long> MEMO_SQUARE = Apps.define("taskdb.memo-square").memoize()
      .java(Long.class, Long.class, x -> x * x);

  static final Map<String, java.util.concurrent.atomic.AtomicInteger> CALLS = new ConcurrentHashMap<>();

  /** Fails its first call under a key with an IOException, then returns the call's number; retried twice. */
  public static final App1<String, Long> FLAKY = Apps.define("taskdb.flaky").retries(2).java(String.class, Long.class,
      key -> {
        int call = CALLS.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        if (call == 1) {
          throw new java.io.IOException("first call of " + key + " fails");
        }
        return (long) call;
      });

  /** Opens the gate of this name. */
  public static void open(String key) {
    GATES.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
  }

  /** Waits (at most a minute) for the gate of this name, then returns 1. */
  public static final App1<String, Long> GATED = Apps.define("taskdb.gated").java(String.class, Long.class, key -> {
    if (!GATES.computeIfAbsent(key, k -> new CountDownLatch(1)).await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("gate " + key + " never opened");
    }
    return 1L;
  });

  /** Sleeps this many milliseconds, on a worker. */
  public static final App2<Long, Long, Long> SLEEP = Apps.define("taskdb.sleep").java(Long.class, Long.class, Long.class,
      (millis, seed) -> {
        Thread.sleep(millis);
        return seed;
      });

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SQUARE, TOTAL, FAIL, MEMO_SQUARE, GATED, SLEEP, FLAKY);
  }
}
