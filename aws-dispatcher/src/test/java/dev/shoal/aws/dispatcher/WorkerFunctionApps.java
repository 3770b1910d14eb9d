package dev.shoal.aws.dispatcher;

import dev.shoal.app.App;
import dev.shoal.app.App1;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The apps the worker function runs in its tests, found by the handler's own app registry. */
public final class WorkerFunctionApps implements AppLibrary {
  public static final App1<Long, Long> SQUARE = Apps.define("workerfn.square").java(Long.class, Long.class, x -> x * x);

  /** Leaves a mark that it ran: the file it names. */
  public static final App1<String, String> MARK = Apps.define("workerfn.mark").java(String.class, String.class,
      path -> Files.writeString(Path.of(path), "ran").toString());

  /** Works for the milliseconds it is given (a task that outlives the queue's visibility timeout), then says so. */
  public static final App1<Long, Long> SLOW = Apps.define("workerfn.slow").java(Long.class, Long.class, millis -> {
    Thread.sleep(millis);
    return millis;
  });

  @Override
  public List<App<?>> apps() {
    return List.of(SQUARE, MARK, SLOW);
  }
}
