package dev.shoal.azure.dispatcher;

import dev.shoal.app.App;
import dev.shoal.app.App1;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The apps the worker function runs in its tests, found by its own app registry (META-INF/services). */
public final class WorkerFunctionTestApps implements AppLibrary {
  public static final App1<Long, Long> SQUARE = Apps.define("azfn.square").java(Long.class, Long.class, x -> x * x);

  /** Leaves a mark that it ran: the file it names. */
  public static final App1<String, String> MARK = Apps.define("azfn.mark").java(String.class, String.class,
      path -> Files.writeString(Path.of(path), "ran").toString());

  @Override
  public List<App<?>> apps() {
    return List.of(SQUARE, MARK);
  }
}
