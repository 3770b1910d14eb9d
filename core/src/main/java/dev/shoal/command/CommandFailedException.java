package dev.shoal.command;

import java.util.List;
import java.util.Objects;

/**
 * A command app's command exited with a non-zero status. The same on every executor: a worker's
 * failure arrives on the client as this exception, with its fields.
 */
public class CommandFailedException extends RuntimeException {
  private final String app;
  private final long taskId;
  private final List<String> command;
  private final int exitCode;
  private final String stderrTail;

  /**
   * @param app the name of the command app whose command failed
   * @param taskId the task that ran it
   * @param command the command line that ran, program first
   * @param exitCode its exit status
   * @param stderrTail the last lines it wrote to standard error
   */
  public CommandFailedException(String app, long taskId, List<String> command, int exitCode, String stderrTail) {
    super("app " + app + " (task " + taskId + "): command '" + command.get(0) + "' exited with code " + exitCode
        + (stderrTail.isBlank() ? " and printed nothing on stderr" : "; stderr ends with:\n" + stderrTail));
    this.app = Objects.requireNonNull(app, "app");
    this.taskId = taskId;
    this.command = List.copyOf(command);
    this.exitCode = exitCode;
    this.stderrTail = Objects.requireNonNull(stderrTail, "stderrTail");
  }

  /** The command app whose command failed. */
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

  public int exitCode() {
    return exitCode;
  }

  /** The last lines the command wrote to standard error. */
  public String stderrTail() {
    return stderrTail;
  }
}
