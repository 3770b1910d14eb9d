package dev.shoal.app;

import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Options of an app being defined; finish with {@code java(...)} for a Java body or
 * {@code command(...)} for a command line. Parameter and result types come first (as classes or,
 * for generic types, {@link TypeRef}s) so that the app can be called across a JSON boundary.
 */
public final class AppBuilder {
  private final String name;
  private String version = "1";
  private boolean memoize;
  private int retries = -1;
  private String executor;
  private Duration walltime;
  private Boolean runsInFunctions;
  private List<Class<? extends Exception>> exceptionTypes = List.of();

  AppBuilder(String name) {
    this.name = name;
  }

  /** The app's version, part of the memoization key (default "1"). */
  public AppBuilder version(String version) {
    this.version = Objects.requireNonNull(version, "version");
    return this;
  }

  /** Reuse results of identical calls, within a run and across runs through a checkpoint. */
  public AppBuilder memoize() {
    return memoize(true);
  }

  public AppBuilder memoize(boolean memoize) {
    this.memoize = memoize;
    return this;
  }

  /** Retries for this app, overriding the run's default. */
  public AppBuilder retries(int retries) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0: " + retries);
    }
    this.retries = retries;
    return this;
  }

  /** Run this app on the executor with this label, unless the kernel's configuration maps it elsewhere. */
  public AppBuilder executor(String label) {
    this.executor = Objects.requireNonNull(label, "label");
    return this;
  }

  /** For command apps: kill the command and fail the task after this long. */
  public AppBuilder walltime(Duration walltime) {
    if (walltime.isNegative() || walltime.isZero()) {
      throw new IllegalArgumentException("walltime must be positive: " + walltime);
    }
    this.walltime = walltime;
    return this;
  }

  /**
   * Exceptions of the app's own that a remote executor rebuilds on the client as themselves, with
   * the remote message and stack, so that a {@code catch} that works on threads works on workers
   * too. Without this, such an exception arrives as a {@code RemoteAppException} naming its class:
   * a client never constructs a class named only by a queue message. Each type must be a public,
   * concrete class with a public constructor taking the message ({@code String}); the constructor
   * should do nothing but keep it. Replaces the types given before.
   *
   * @throws IllegalArgumentException when a type cannot be rebuilt from a message
   */
  @SafeVarargs
  public final AppBuilder throwing(Class<? extends Exception>... types) {
    for (Class<? extends Exception> type : types) {
      Objects.requireNonNull(type, "type");
      int modifiers = type.getModifiers();
      boolean messageConstructor;
      try {
        type.getConstructor(String.class);
        messageConstructor = true;
      } catch (NoSuchMethodException e) {
        messageConstructor = false;
      }
      if (!Modifier.isPublic(modifiers) || Modifier.isAbstract(modifiers) || !messageConstructor) {
        throw new IllegalArgumentException("app " + name + " cannot declare " + type.getName()
            + ": a declared exception must be a public, concrete class with a public constructor taking its message (String)");
      }
    }
    this.exceptionTypes = List.of(types);
    return this;
  }

  /**
   * Whether this app's tasks may run on serverless burst workers (a Lambda or Azure Function on the
   * pool's task queue while VMs boot). By default Java apps may and command apps may not: a function's
   * image has the JVM and the app library, not the tools a command calls. Say {@code true} for a
   * command app whose tools are in the function's image, {@code false} for a Java app that needs the
   * VM (a GPU, a large local disk, more memory than a function has). An app whose declared
   * {@linkplain #walltime walltime} is longer than the function's time limit never runs there either.
   * Where a pool has a VM-only queue, the queue executor sends the tasks that may not run in a
   * function there, and only VM workers serve it.
   */
  public AppBuilder runsInFunctions(boolean allowed) {
    this.runsInFunctions = allowed;
    return this;
  }

  private AppDefinition build(AppDefinition.Kind kind, List<Type> params, Type result, AppDefinition.Body body) {
    return new AppDefinition(name, version, kind, params, result, body, memoize, retries, executor, walltime,
        exceptionTypes, runsInFunctions == null ? kind == AppDefinition.Kind.JAVA : runsInFunctions);
  }

  public <R> App0<R> java(Class<R> result, App.Fn0<R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App0<>(build(AppDefinition.Kind.JAVA, List.of(), result, args -> fn.apply()));
  }

  public <R> App0<R> java(TypeRef<R> result, App.Fn0<R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App0<>(build(AppDefinition.Kind.JAVA, List.of(), result.type(), args -> fn.apply()));
  }

  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public App0<CommandResult> command(App.Fn0<Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App0<>(build(AppDefinition.Kind.COMMAND, List.of(), CommandResult.class, args -> fn.apply()));
  }

  @SuppressWarnings("unchecked")
  public <A, R> App1<A, R> java(Class<A> a, Class<R> result, App.Fn1<A, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App1<>(build(AppDefinition.Kind.JAVA, List.of(a), result, args -> fn.apply((A) args[0])));
  }

  @SuppressWarnings("unchecked")
  public <A, R> App1<A, R> java(TypeRef<A> a, TypeRef<R> result, App.Fn1<A, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App1<>(build(AppDefinition.Kind.JAVA, List.of(a.type()), result.type(), args -> fn.apply((A) args[0])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A> App1<A, CommandResult> command(Class<A> a, App.Fn1<A, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App1<>(build(AppDefinition.Kind.COMMAND, List.of(a), CommandResult.class, args -> fn.apply((A) args[0])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A> App1<A, CommandResult> command(TypeRef<A> a, App.Fn1<A, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App1<>(build(AppDefinition.Kind.COMMAND, List.of(a.type()), CommandResult.class, args -> fn.apply((A) args[0])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, R> App2<A, B, R> java(Class<A> a, Class<B> b, Class<R> result, App.Fn2<A, B, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App2<>(build(AppDefinition.Kind.JAVA, List.of(a, b), result, args -> fn.apply((A) args[0], (B) args[1])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, R> App2<A, B, R> java(TypeRef<A> a, TypeRef<B> b, TypeRef<R> result, App.Fn2<A, B, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App2<>(build(AppDefinition.Kind.JAVA, List.of(a.type(), b.type()), result.type(), args -> fn.apply((A) args[0], (B) args[1])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B> App2<A, B, CommandResult> command(Class<A> a, Class<B> b, App.Fn2<A, B, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App2<>(build(AppDefinition.Kind.COMMAND, List.of(a, b), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B> App2<A, B, CommandResult> command(TypeRef<A> a, TypeRef<B> b, App.Fn2<A, B, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App2<>(build(AppDefinition.Kind.COMMAND, List.of(a.type(), b.type()), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, C, R> App3<A, B, C, R> java(Class<A> a, Class<B> b, Class<C> c, Class<R> result, App.Fn3<A, B, C, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App3<>(build(AppDefinition.Kind.JAVA, List.of(a, b, c), result, args -> fn.apply((A) args[0], (B) args[1], (C) args[2])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, C, R> App3<A, B, C, R> java(TypeRef<A> a, TypeRef<B> b, TypeRef<C> c, TypeRef<R> result, App.Fn3<A, B, C, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App3<>(build(AppDefinition.Kind.JAVA, List.of(a.type(), b.type(), c.type()), result.type(), args -> fn.apply((A) args[0], (B) args[1], (C) args[2])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B, C> App3<A, B, C, CommandResult> command(Class<A> a, Class<B> b, Class<C> c, App.Fn3<A, B, C, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App3<>(build(AppDefinition.Kind.COMMAND, List.of(a, b, c), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1], (C) args[2])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B, C> App3<A, B, C, CommandResult> command(TypeRef<A> a, TypeRef<B> b, TypeRef<C> c, App.Fn3<A, B, C, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App3<>(build(AppDefinition.Kind.COMMAND, List.of(a.type(), b.type(), c.type()), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1], (C) args[2])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, C, D, R> App4<A, B, C, D, R> java(Class<A> a, Class<B> b, Class<C> c, Class<D> d, Class<R> result, App.Fn4<A, B, C, D, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App4<>(build(AppDefinition.Kind.JAVA, List.of(a, b, c, d), result, args -> fn.apply((A) args[0], (B) args[1], (C) args[2], (D) args[3])));
  }

  @SuppressWarnings("unchecked")
  public <A, B, C, D, R> App4<A, B, C, D, R> java(TypeRef<A> a, TypeRef<B> b, TypeRef<C> c, TypeRef<D> d, TypeRef<R> result, App.Fn4<A, B, C, D, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App4<>(build(AppDefinition.Kind.JAVA, List.of(a.type(), b.type(), c.type(), d.type()), result.type(), args -> fn.apply((A) args[0], (B) args[1], (C) args[2], (D) args[3])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B, C, D> App4<A, B, C, D, CommandResult> command(Class<A> a, Class<B> b, Class<C> c, Class<D> d, App.Fn4<A, B, C, D, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App4<>(build(AppDefinition.Kind.COMMAND, List.of(a, b, c, d), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1], (C) args[2], (D) args[3])));
  }

  @SuppressWarnings("unchecked")
  /** A command app: {@code fn} builds the command line from the arguments; the result says how it ran. */
  public <A, B, C, D> App4<A, B, C, D, CommandResult> command(TypeRef<A> a, TypeRef<B> b, TypeRef<C> c, TypeRef<D> d, App.Fn4<A, B, C, D, Command> fn) {
    Objects.requireNonNull(fn, "fn");
    return new App4<>(build(AppDefinition.Kind.COMMAND, List.of(a.type(), b.type(), c.type(), d.type()), CommandResult.class, args -> fn.apply((A) args[0], (B) args[1], (C) args[2], (D) args[3])));
  }
}
