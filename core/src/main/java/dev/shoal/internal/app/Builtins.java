package dev.shoal.internal.app;

import dev.shoal.app.AppDefinition;
import dev.shoal.app.Apps;

/** Apps every worker runs without user code. */
public final class Builtins {
  /**
   * Runs a {@link dev.shoal.command.Command} (its one argument) with {@link dev.shoal.internal.command.CommandRunner}
   * and returns a {@link dev.shoal.command.CommandResult}. Remote executors send command apps as
   * this app: the client builds the command line, so the worker needs none of the user's code.
   */
  public static final String COMMAND = AppDefinition.RESERVED_PREFIX + "command";

  private Builtins() {}
}
