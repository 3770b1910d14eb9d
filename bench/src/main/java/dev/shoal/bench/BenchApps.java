package dev.shoal.bench;

import dev.shoal.app.App1;
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

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(NOOP, INC, SLEEP, SLEEP_THEN_PID);
  }
}
