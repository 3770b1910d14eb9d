package dev.shoal.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/**
 * What a command works with besides its arguments: the process's environment (the fallbacks of
 * options, and the dispatcher's settings), its standard streams, and how dispatchers are made.
 * Tests give their own, so that no command reads {@code System.getenv} or writes to {@code System.out}.
 *
 * @param out the command's output, for the user or a script (tables, JSON)
 * @param err messages about the command itself (errors, prompts' context); logs go there too
 */
record CliContext(Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
    DispatcherFactory dispatchers) {

  CliContext {
    env = Map.copyOf(env);
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(err, "err");
    Objects.requireNonNull(dispatchers, "dispatchers");
  }

  /** This process's environment and streams, and the real clouds. */
  static CliContext system() {
    return new CliContext(System.getenv(), System.in, System.out, System.err, DispatcherFactory.standard());
  }

  /** The environment variable, or null when it is unset or empty. */
  String variable(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }
}
