package dev.shoal.embedded;

import dev.shoal.app.App;
import dev.shoal.app.App1;
import dev.shoal.app.AppLibrary;
import dev.shoal.app.Apps;
import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Apps that fail in every way an app can, for the test that runs the same program on threads and
 * on worker JVMs (which find this library on the test class path).
 */
public final class SameAnswersApps implements AppLibrary {
  /** Throws the standard JDK exception named by its argument (see {@link #throwNamed}). */
  public static final App1<String, String> THROW = Apps.define("same.throw")
      .java(String.class, String.class, SameAnswersApps::throwNamed);

  /** Throws {@link Tripwire}, which the app does not declare. */
  public static final App1<String, String> UNDECLARED = Apps.define("same.undeclared")
      .java(String.class, String.class, message -> {
        throw new Tripwire(message);
      });

  /** Throws {@link QuotaExceeded}, which it declares. */
  public static final App1<String, String> DECLARED = Apps.define("same.declared")
      .throwing(QuotaExceeded.class)
      .java(String.class, String.class, message -> {
        throw new QuotaExceeded(message);
      });

  /** Returns a value that cannot be encoded as JSON: its accessor throws. */
  public static final App1<String, Unencodable> UNENCODABLE = Apps.define("same.unencodable")
      .java(String.class, Unencodable.class, Unencodable::new);

  public static final App1<String, CommandResult> SHELL = Apps.define("same.shell").command(String.class, Command::shell);

  public static final App1<String, CommandResult> SHELL_300MS = Apps.define("same.shell-300ms")
      .walltime(Duration.ofMillis(300))
      .command(String.class, Command::shell);

  /** The kinds {@link #THROW} knows, each a standard JDK exception. */
  public static final Map<String, Class<? extends Exception>> KINDS = Map.of(
      "state", IllegalStateException.class,
      "argument", IllegalArgumentException.class,
      "arithmetic", ArithmeticException.class,
      "null", NullPointerException.class,
      "unsupported", UnsupportedOperationException.class,
      "io", IOException.class,
      "unchecked-io", UncheckedIOException.class,
      "no-such-element", NoSuchElementException.class);

  /** Fails the way the kind says, as real code does (a division by zero, a null dereference...). */
  public static String throwNamed(String kind) throws IOException {
    String nothing = kind.startsWith("null") ? null : kind;
    switch (kind) {
      case "state" -> throw new IllegalStateException("not ready: " + kind);
      case "argument" -> throw new IllegalArgumentException("bad argument: " + kind);
      case "arithmetic" -> {
        int zero = kind.length() - kind.length();
        return Integer.toString(kind.length() / zero);
      }
      case "null" -> {
        return Integer.toString(nothing.length());
      }
      case "unsupported" -> {
        List.of().add(kind);
        return kind;
      }
      case "io" -> throw new IOException("disk full: " + kind);
      case "unchecked-io" -> throw new UncheckedIOException("reading " + kind, new IOException("disk gone"));
      case "no-such-element" -> throw new NoSuchElementException("no element: " + kind);
      default -> throw new AssertionError("unknown kind " + kind);
    }
  }

  /**
   * An exception with a constructor that has a side effect. No app declares it: a client must not
   * construct it because a queue message names it.
   */
  public static final class Tripwire extends RuntimeException {
    /** Constructions in this JVM. */
    public static final AtomicInteger CONSTRUCTED = new AtomicInteger();

    public Tripwire(String message) {
      super(message);
      CONSTRUCTED.incrementAndGet();
    }
  }

  /** An app's own exception, declared by {@link #DECLARED}. */
  public static final class QuotaExceeded extends RuntimeException {
    public QuotaExceeded(String message) {
      super(message);
    }
  }

  /** A result Jackson cannot encode. */
  public record Unencodable(String name) {
    @Override
    public String name() {
      throw new IllegalStateException("this value cannot be read: " + name);
    }
  }

  @Override
  public Collection<? extends App<?>> apps() {
    return List.of(THROW, UNDECLARED, DECLARED, UNENCODABLE, SHELL, SHELL_300MS);
  }
}
