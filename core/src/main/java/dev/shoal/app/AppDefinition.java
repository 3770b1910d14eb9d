package dev.shoal.app;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Everything a kernel or a worker needs to know about an app, untyped: its stable name and
 * version, the generic types of its parameters and result (to cross a JSON boundary), its body,
 * and the options it was declared with.
 */
public final class AppDefinition {
  /** Names that every worker understands without user code, such as the command runner. */
  public static final String RESERVED_PREFIX = "shoal.";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  /** How an app's body is run. */
  public enum Kind {
    /** The body is Java code and computes the result. */
    JAVA,
    /** The body builds a {@link dev.shoal.command.Command}; a command runner executes it. */
    COMMAND
  }

  @FunctionalInterface
  interface Body {
    Object apply(Object[] args) throws Exception;
  }

  private final String name;
  private final String version;
  private final Kind kind;
  private final List<Type> parameterTypes;
  private final Type resultType;
  private final Body body;
  private final boolean memoize;
  private final int retries;
  private final String executor;
  private final Duration walltime;
  private final List<Class<? extends Exception>> exceptionTypes;
  private final boolean runsInFunctions;

  AppDefinition(String name, String version, Kind kind, List<Type> parameterTypes, Type resultType,
      Body body, boolean memoize, int retries, String executor, Duration walltime,
      List<Class<? extends Exception>> exceptionTypes, boolean runsInFunctions) {
    this.name = checkName(name);
    this.version = Objects.requireNonNull(version, "version");
    this.kind = kind;
    this.parameterTypes = List.copyOf(parameterTypes);
    this.resultType = Objects.requireNonNull(resultType, "resultType");
    this.body = Objects.requireNonNull(body, "body");
    this.memoize = memoize;
    this.retries = retries;
    this.executor = executor;
    this.walltime = walltime;
    this.exceptionTypes = List.copyOf(exceptionTypes);
    this.runsInFunctions = runsInFunctions;
  }

  static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("app name '" + name
          + "' must be 1-128 characters of letters, digits and . _ : - starting with a letter or digit");
    }
    return name;
  }

  public String name() {
    return name;
  }

  /** The declared version; part of the memoization key, so bumping it invalidates old results. */
  public String version() {
    return version;
  }

  public Kind kind() {
    return kind;
  }

  public int arity() {
    return parameterTypes.size();
  }

  public List<Type> parameterTypes() {
    return parameterTypes;
  }

  public Type resultType() {
    return resultType;
  }

  public boolean memoize() {
    return memoize;
  }

  /** Retries declared by the app itself, overriding the run's default. */
  public OptionalInt retries() {
    return retries < 0 ? OptionalInt.empty() : OptionalInt.of(retries);
  }

  /** The label of the executor this app asks for, if any. */
  public Optional<String> executor() {
    return Optional.ofNullable(executor);
  }

  /** For command apps: the walltime limit declared on the app, if any. */
  public Optional<Duration> walltime() {
    return Optional.ofNullable(walltime);
  }

  /**
   * The app's own exception types that a remote executor rebuilds as themselves (declared with
   * {@link AppBuilder#throwing}); empty when none.
   */
  public List<Class<? extends Exception>> exceptionTypes() {
    return exceptionTypes;
  }

  /** Whether its tasks may run on serverless burst workers at all ({@link AppBuilder#runsInFunctions}). */
  public boolean runsInFunctions() {
    return runsInFunctions;
  }

  /**
   * Whether a task of this app may run on a burst function that gives a task at most {@code
   * timeLimit}: it {@linkplain #runsInFunctions() may run in functions}, and a walltime it declares
   * fits within the limit.
   */
  public boolean fitsFunction(Duration timeLimit) {
    return runsInFunctions && (walltime == null || walltime.compareTo(timeLimit) <= 0);
  }

  /**
   * Runs the body on already-resolved arguments. For a {@link Kind#COMMAND} app this builds the
   * command (a {@link dev.shoal.command.Command}) rather than running it.
   */
  public Object invoke(Object[] args) throws Exception {
    if (args.length != parameterTypes.size()) {
      throw new IllegalArgumentException("app " + name + " takes " + parameterTypes.size()
          + " arguments, got " + args.length);
    }
    return body.apply(args);
  }

  @Override
  public String toString() {
    return name + "@" + version;
  }
}
