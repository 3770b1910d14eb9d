package dev.shoal.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the shoal command in this JVM on a context of the test's: its environment, stdin, and captured streams. */
final class CliRun {
  private final Map<String, String> env;
  private final DispatcherFactory dispatchers;
  private String stdin = "";

  private CliRun(Map<String, String> env, DispatcherFactory dispatchers) {
    this.env = Map.copyOf(env);
    this.dispatchers = dispatchers;
  }

  /** An empty environment, the real clouds' dispatchers. */
  static CliRun shoal() {
    return new CliRun(Map.of(), DispatcherFactory.standard());
  }

  CliRun env(Map<String, String> variables) {
    CliRun copy = new CliRun(variables, dispatchers);
    copy.stdin = stdin;
    return copy;
  }

  CliRun dispatchers(DispatcherFactory factory) {
    CliRun copy = new CliRun(env, factory);
    copy.stdin = stdin;
    return copy;
  }

  CliRun stdin(String text) {
    CliRun copy = new CliRun(env, dispatchers);
    copy.stdin = text;
    return copy;
  }

  /** What one command line printed and how it exited. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      CliContext context = new CliContext(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
          outStream, errStream, dispatchers);
      int exit = Shoal.execute(context, args);
      return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }
}
