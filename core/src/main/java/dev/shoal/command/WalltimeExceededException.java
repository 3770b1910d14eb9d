package dev.shoal.command;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A command ran longer than its walltime and was killed. The same on every executor: a worker's
 * failure arrives on the client as this exception, with its fields.
 */
public class WalltimeExceededException extends RuntimeException {
  private final String app;
  private final long taskId;
  private final List<String> command;
  private final Duration walltime;

  /**
   * @param app the name of the command app whose command was killed
   * @param taskId the task that ran it
   * @param command the command line that ran, program first
   * @param walltime the limit it exceeded
   */
  public WalltimeExceededException(String app, long taskId, List<String> command, Duration walltime) {
    super("app " + app + " (task " + taskId + "): command '" + command.get(0) + "' exceeded its walltime of " + walltime
        + " and was killed");
    this.app = Objects.requireNonNull(app, "app");
    this.taskId = taskId;
    this.command = List.copyOf(command);
    this.walltime = Objects.requireNonNull(walltime, "walltime");
  }

  /** The command app whose command was killed. */
  public String app() {
    return app;
  }

  /** The task that ran the command. */
  public long taskId() {
    return taskId;
  }

  /** The command line that ran, program first. */
  public List<String> command() {
    return command;
  }

  public Duration walltime() {
    return walltime;
  }
}
