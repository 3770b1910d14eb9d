package dev.shoal.internal.app;

import dev.shoal.app.AppDefinition;
import dev.shoal.command.Command;
import dev.shoal.internal.command.CommandRunner;
import java.nio.file.Path;

/** Runs an app on resolved arguments in this process: what a local executor and a worker both do. */
public final class AppInvoker {
  private AppInvoker() {}

  /**
   * Runs the app's body; for a command app, builds its command and runs it in {@code taskDir}.
   *
   * @param taskId the task this is, named by a command's failure
   * @return the app's result (a {@link dev.shoal.command.CommandResult} for a command app)
   */
  public static Object run(AppDefinition app, long taskId, Object[] args, Path taskDir) throws Exception {
    Object result = app.invoke(args);
    if (app.kind() == AppDefinition.Kind.COMMAND) {
      if (!(result instanceof Command command)) {
        throw new IllegalStateException("command app " + app.name() + " built "
            + (result == null ? "null" : "a " + result.getClass().getName()) + " instead of a Command");
      }
      return CommandRunner.run(command, taskDir, app.walltime().orElse(null), app.name(), taskId);
    }
    return result;
  }
}
