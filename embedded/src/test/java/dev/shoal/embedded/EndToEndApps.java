package dev.shoal.embedded;

import dev.shoal.app.App1;
import dev.shoal.app.App;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.util.Collection;
import java.util.List;

/** Apps the end-to-end tests run on real worker processes (which find them on the test class path). */
public final class EndToEndApps implements AppLibrary {
  public static final App1<Long, Long> SQUARE = Apps.define("e2e.square").java(Long.class, Long.class, x -> x * x);

  /** A task that takes time: the sleep is the work it does, not a wait for something. */
  public static final App1<Long, Long> SLEEP = Apps.define("e2e.sleep").java(Long.class, Long.class, millis -> {
    Thread.sleep(millis);
    return millis;
  });

  /** Takes time like {@link #SLEEP}, then says which worker process ran it: its pid. */
  public static final App1<Long, Long> SLEEP_THEN_PID = Apps.define("e2e.sleep-pid")
      .java(Long.class, Long.class, millis -> {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
      });

  /** As {@link #SLEEP_THEN_PID}, for an app that needs a VM: never run by a burst function (nor this JVM's). */
  public static final App1<Long, Long> VM_ONLY_PID = Apps.define("e2e.vm-only-pid").runsInFunctions(false)
      .java(Long.class, Long.class, millis -> {
        Thread.sleep(millis);
        return ProcessHandle.current().pid();
      });

  public static final App1<String, String> FAIL = Apps.define("e2e.fail").java(String.class, String.class, message -> {
    throw new IllegalStateException(message);
  });

  /** Kills the worker JVM that runs it, as a segfaulting native library or the OOM killer would. */
  public static final App1<Long, Long> CRASH = Apps.define("e2e.crash").java(Long.class, Long.class, code -> {
    Runtime.getRuntime().halt(code.intValue());
    return code;
  });

  public static final App1<String, String> ECHO_LENGTH = Apps.define("e2e.length")
      .java(String.class, String.class, text -> Integer.toString(text.length()));

  /** Its argument, reversed: a result as large as the argument, and not the argument itself. */
  public static final App1<String, String> REVERSE = Apps.define("e2e.reverse")
      .java(String.class, String.class, text -> new StringBuilder(text).reverse().toString());

  public static final App1<String, CommandResult> SHELL = Apps.define("e2e.shell")
      .command(String.class, Command::shell);

  /** The worker's environment variable of this name (null when unset). */
  public static final App1<String, String> ENV = Apps.define("e2e.env").java(String.class, String.class, System::getenv);

  /** Defined but published by no library: workers do not know it. */
  public static final App1<Long, Long> UNPUBLISHED = Apps.define("e2e.unpublished").java(Long.class, Long.class, x -> x);

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(SQUARE, SLEEP, SLEEP_THEN_PID, VM_ONLY_PID, FAIL, CRASH, ECHO_LENGTH, REVERSE, SHELL, ENV);
  }
}
