package dev.shoal.command;

/** A command app's command exited with a non-zero status. */
public class CommandFailedException extends RuntimeException {
  private final int exitCode;
  private final String stderrTail;

  public CommandFailedException(String program, int exitCode, String stderrTail) {
    super("command '" + program + "' exited with code " + exitCode
        + (stderrTail.isBlank() ? " and printed nothing on stderr" : "; stderr ends with:\n" + stderrTail));
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The last lines the command wrote to standard error. */
  public String stderrTail() {
    return stderrTail;
  }
}
