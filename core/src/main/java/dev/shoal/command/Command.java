package dev.shoal.command;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command line to run, built by a command app from its arguments. It is plain data, so it can
 * be shipped to a worker that has none of the user's code.
 *
 * @param argv the program and its arguments, not interpreted by a shell (see {@link #shell})
 * @param env variables added to the worker's environment
 * @param walltime kill the command after this long; null for the app's or the runner's default
 */
public record Command(List<String> argv, Map<String, String> env, Duration walltime) {
  public Command {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs at least a program name");
    }
    env = env == null ? Map.of() : Map.copyOf(env);
    if (walltime != null && (walltime.isNegative() || walltime.isZero())) {
      throw new IllegalArgumentException("walltime must be positive: " + walltime);
    }
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv), Map.of(), null);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, Map.of(), null);
  }

  /** A line for {@code /bin/sh -c}, like Parsl's bash_app. */
  public static Command shell(String line) {
    return of("/bin/sh", "-c", Objects.requireNonNull(line, "line"));
  }

  public Command withEnv(Map<String, String> env) {
    return new Command(argv, env, walltime);
  }

  public Command withWalltime(Duration walltime) {
    return new Command(argv, env, walltime);
  }
}
