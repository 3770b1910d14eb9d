package dev.shoal.bench;

import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.util.Collection;
import java.util.List;

/** Apps that do (almost) nothing, so that a benchmark measures Shoal's own overhead. */
public final class BenchApps implements AppLibrary {
  public static final App1<Long, Long> NOOP = Apps.define("bench.noop").java(Long.class, Long.class, x -> x);
  public static final App1<Long, Long> INC = Apps.define("bench.inc").java(Long.class, Long.class, x -> x + 1);

  /** Sleeps for the given milliseconds and returns 0: a gate to build a DAG behind. */
  public static final App1<Long, Long> SLEEP = Apps.define("bench.sleep").java(Long.class, Long.class, millis -> {
    Thread.sleep(millis);
    return 0L;
  });

  /** Sleeps for the given milliseconds and returns the pid of the worker process that ran it. */
  public static final App1<Long, Long> SLEEP_THEN_PID = Apps.define("bench.sleep-pid")
      .java(Long.class, Long.class, millis -> {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
      });

  /** Sleeps {@code millis}, then returns {@code 2 * i}: a task whose answer proves which task ran. */
  public static final App2<Long, Long, Long> WORK = Apps.define("bench.work").java(Long.class, Long.class, Long.class,
      (i, millis) -> {
        Thread.sleep(millis);
        return 2 * i;
      });

  /** {@link #WORK}, memoized: a re-run from a checkpoint skips the calls already done. */
  public static final App2<Long, Long, Long> MEMO_WORK = Apps.define("bench.memo-work").memoize()
      .java(Long.class, Long.class, Long.class, (i, millis) -> {
        Thread.sleep(millis);
        return 2 * i;
      });

  /**
   * Keeps its thread busy for the given milliseconds (a spin on the clock, not a sleep: CPU work, as
   * a real task's) and returns how many times it looked at the clock.
   */
  public static final App1<Long, Long> SPIN = Apps.define("bench.spin").java(Long.class, Long.class, millis -> {
    long end = System.nanoTime() + millis * 1_000_000;
    long spins = 0;
    while (System.nanoTime() < end) {
      spins++;
    }
    return spins;
  });

  /** The length of a text: with a large text, an argument too large for one queue message. */
  public static final App1<String, Long> LENGTH = Apps.define("bench.length").java(String.class, Long.class,
      text -> (long) text.length());

  /** Gives its argument back: a payload that goes to the worker and comes back. */
  public static final App1<String, String> ECHO = Apps.define("bench.echo").java(String.class, String.class,
      text -> text);

  /** Kills the worker JVM that runs it, every time: a poison task. */
  public static final App1<Long, Long> CRASH = Apps.define("bench.crash").java(Long.class, Long.class, code -> {
    Runtime.getRuntime().halt(code.intValue());
    return code;
  });

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(NOOP, INC, SLEEP, SLEEP_THEN_PID, WORK, MEMO_WORK, SPIN, LENGTH, ECHO, CRASH);
  }
}
