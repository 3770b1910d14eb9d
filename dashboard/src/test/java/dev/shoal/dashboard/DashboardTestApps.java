package dev.shoal.dashboard;

import dev.shoal.app.App;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.app.TypeRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** Apps the dashboard's tests run, in this JVM and in worker JVMs (which find them on the test class path). */
public final class DashboardTestApps implements AppLibrary {
  /** An error that is hostile markup: the page must show it as text and never run or render it. */
  public static final String HOSTILE = "<script>window.shoalPwned = 1</script><img src=x onerror=\"window.shoalPwned = 2\">"
      + " & <b>bold</b> </script><!-- \u2028 end";

  public static final App1<Long, Long> SQUARE = Apps.define("dash.square").java(Long.class, Long.class, x -> x * x);

  public static final App1<List<Long>, Long> TOTAL = Apps.define("dash.total")
      .java(TypeRef.listOf(Long.class), TypeRef.of(Long.class), values -> values.stream().mapToLong(Long::longValue).sum());

  public static final App1<String, Long> FAIL = Apps.define("dash.fail").java(String.class, Long.class, message -> {
    throw new IllegalArgumentException(message);
  });

  /** Sleeps this many milliseconds: the sleep is the work, not a wait for something. */
  public static final App2<Long, Long, Long> SLEEP = Apps.define("dash.sleep").java(Long.class, Long.class, Long.class,
      (millis, seed) -> {
        Thread.sleep(millis);
        return seed;
      });

  /**
   * Returns 1 once the file it names exists, checking every 10 ms for at most a minute: a gate a
   * test opens from its own JVM for a task running in a worker JVM.
   */
  public static final App1<String, Long> GATE = Apps.define("dash.gate").java(String.class, Long.class, file -> {
    Path gate = Path.of(file);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(gate)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the gate " + file + " never opened");
      }
      Thread.sleep(10);
    }
    return 1L;
  });

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SQUARE, TOTAL, FAIL, SLEEP, GATE);
  }
}
