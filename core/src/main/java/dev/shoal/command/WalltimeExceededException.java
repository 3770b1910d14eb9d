package dev.shoal.command;

import java.time.Duration;

/** A command ran longer than its walltime and was killed. */
public class WalltimeExceededException extends RuntimeException {
  private final Duration walltime;

  public WalltimeExceededException(String program, Duration walltime) {
    super("command '" + program + "' exceeded its walltime of " + walltime + " and was killed");
    this.walltime = walltime;
  }

  public Duration walltime() {
    return walltime;
  }
}
