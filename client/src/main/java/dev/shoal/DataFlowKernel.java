package dev.shoal;

import dev.shoal.app.App0;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.App3;
import dev.shoal.app.App4;
import dev.shoal.app.AppDefinition;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.config.MonitoringConfig;
import dev.shoal.config.ShoalConfig;
import dev.shoal.monitor.MonitorProvider;
import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a dataflow program: every {@code call} returns an {@link AppFuture} at once, futures passed
 * as arguments become dependencies, and a task is handed to its executor as soon as its inputs
 * are ready. Closing the kernel waits for the submitted tasks (or cancels them, as configured)
 * and stops the executors.
 *
 * <pre>{@code
 * try (DataFlowKernel dfk = DataFlowKernel.builder().executor(ThreadPoolTaskExecutor.create()).build()) {
 *   AppFuture<Long> a = dfk.call(SAMPLE, 1_000L, 1L);
 *   AppFuture<Long> b = dfk.call(SAMPLE, 1_000L, 2L);
 *   double pi = dfk.call(ESTIMATE, Arg.all(List.of(a, b)), 2_000L).join();
 * }
 * }</pre>
 */
public final class DataFlowKernel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataFlowKernel.class);

  private final String runId;
  private final Path runDir;
  private final JsonCodec codec;
  private final Map<String, TaskExecutor> executors;
  private final TaskExecutor defaultExecutor;
  private final Map<String, String> appExecutors;
  private final int retries;
  private final RetryPolicy retryPolicy;
  private final ShutdownMode shutdownMode;
  private final MemoTable memo;
  /** Where executors complete tasks whose results arrive on a thread they must not stall. */
  private final ExecutorService completions;
  private final CallbackDepth callbacks;
  private final RunEvents events;
  private final OutstandingTasks outstanding = new OutstandingTasks();
  private final AtomicLong nextTaskId = new AtomicLong();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dependencyFailed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private volatile boolean closing;
  private volatile boolean cancelling;
  private boolean closed;

  private DataFlowKernel(Builder builder) {
    this.runId = builder.runId != null ? builder.runId : newRunId();
    this.runDir = builder.runDir.resolve(runId);
    this.codec = JsonCodec.create();
    // The builder stays as it was: a default executor belongs to this kernel alone.
    List<TaskExecutor> given = builder.executors.isEmpty()
        ? List.of(ThreadPoolTaskExecutor.create())
        : List.copyOf(builder.executors);
    Map<String, TaskExecutor> byLabel = new LinkedHashMap<>();
    for (TaskExecutor executor : given) {
      if (byLabel.putIfAbsent(executor.label(), executor) != null) {
        throw new IllegalArgumentException("two executors are labelled '" + executor.label() + "'");
      }
    }
    builder.appExecutors.forEach((app, label) -> {
      if (!byLabel.containsKey(label)) {
        throw new IllegalArgumentException("app " + app + " is mapped to executor '" + label
            + "', but the executors are " + byLabel.keySet());
      }
    });
    this.executors = Map.copyOf(byLabel);
    this.defaultExecutor = given.get(0);
    this.appExecutors = Map.copyOf(builder.appExecutors);
    // Before anything this kernel opens: a monitor that cannot start (a port in use) leaves nothing behind.
    List<RunListener> listeners = new ArrayList<>(builder.listeners);
    for (var monitor : builder.monitors) {
      listeners.addAll(monitor.apply(builder.runDir));
    }
    this.retries = builder.retries;
    this.retryPolicy = builder.retryPolicy;
    this.shutdownMode = builder.shutdownMode;
    this.memo = builder.checkpoint != null ? MemoTable.withCheckpoint(builder.checkpoint, codec) : MemoTable.inMemory(codec);
    memo.checkpointFile().ifPresent(file ->
        log.info("run {}: checkpoint {} holds {} results", runId, file, memo.checkpointLoaded()));
    this.completions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        new CompletionThreads(runId));
    this.callbacks = new CallbackDepth(completions);
    this.events = new RunEvents(runId, codec, listeners);
    RunContext context = new RunContext(runId, runDir, codec, completions, events);
    // Before the executors start: a pool may start workers at once, and they belong to this run.
    events.runStarted(new RunInfo(runId, Instant.now(), runDir, List.copyOf(byLabel.keySet()), builder.program));
    List<TaskExecutor> started = new ArrayList<>();
    try {
      for (TaskExecutor executor : byLabel.values()) {
        executor.start(context);
        started.add(executor);
      }
    } catch (RuntimeException | Error e) {
      // Only the executors this kernel started: one that failed to start may belong to another kernel.
      started.forEach(executor -> {
        executor.shutdown(true);
        executor.close();
      });
      completions.shutdownNow();
      memo.close();
      events.close();
      throw e;
    }
    log.info("run {} started with executors {}", runId, byLabel.keySet());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A kernel configured by the file {@link ShoalConfig#load()} finds ({@code -Dshoal.config},
   * {@code SHOAL_CONFIG}, {@code ./shoal.yaml}; without one, the defaults), overridden by
   * {@code shoal.*} system properties and {@code SHOAL_*} environment variables.
   *
   * @throws dev.shoal.config.ConfigException naming the key, file and line of what is wrong
   */
  public static DataFlowKernel fromConfig() {
    return builder().configure(ShoalConfig.load()).build();
  }

  /** A kernel configured by this file, as {@link #fromConfig()}. */
  public static DataFlowKernel fromConfig(Path file) {
    return builder().configure(ShoalConfig.load(file)).build();
  }

  private static String newRunId() {
    return "run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  }

  public String runId() {
    return runId;
  }

  /** Where this run keeps its files, such as command apps' working directories. */
  public Path runDir() {
    return runDir;
  }

  public <R> AppFuture<R> call(App0<R> app) {
    return submit(app.definition());
  }

  /** Calls the app; arguments that are futures become dependencies. */
  public <A, R> AppFuture<R> call(App1<A, R> app, Arg<? extends A> a) {
    return submit(app.definition(), a);
  }

  /** Calls the app on plain values. */
  public <A, R> AppFuture<R> call(App1<A, R> app, A a) {
    return submit(app.definition(), a);
  }

  /** Calls the app; arguments that are futures become dependencies. */
  public <A, B, R> AppFuture<R> call(App2<A, B, R> app, Arg<? extends A> a, Arg<? extends B> b) {
    return submit(app.definition(), a, b);
  }

  /** Calls the app on plain values. */
  public <A, B, R> AppFuture<R> call(App2<A, B, R> app, A a, B b) {
    return submit(app.definition(), a, b);
  }

  /** Calls the app; arguments that are futures become dependencies. */
  public <A, B, C, R> AppFuture<R> call(App3<A, B, C, R> app, Arg<? extends A> a, Arg<? extends B> b, Arg<? extends C> c) {
    return submit(app.definition(), a, b, c);
  }

  /** Calls the app on plain values. */
  public <A, B, C, R> AppFuture<R> call(App3<A, B, C, R> app, A a, B b, C c) {
    return submit(app.definition(), a, b, c);
  }

  /** Calls the app; arguments that are futures become dependencies. */
  public <A, B, C, D, R> AppFuture<R> call(App4<A, B, C, D, R> app, Arg<? extends A> a, Arg<? extends B> b, Arg<? extends C> c, Arg<? extends D> d) {
    return submit(app.definition(), a, b, c, d);
  }

  /** Calls the app on plain values. */
  public <A, B, C, D, R> AppFuture<R> call(App4<A, B, C, D, R> app, A a, B b, C c, D d) {
    return submit(app.definition(), a, b, c, d);
  }

  private <R> AppFuture<R> submit(AppDefinition app, Object... args) {
    if (closing) {
      throw new IllegalStateException("kernel of run " + runId + " is closed");
    }
    TaskExecutor executor = executorFor(app);
    outstanding.added();
    Task task = new Task(this, callbacks, nextTaskId.incrementAndGet(), app, executor, args);
    events.submitted(task, args);
    task.awaitInputs();
    @SuppressWarnings("unchecked")
    AppFuture<R> future = (AppFuture<R>) task.future;
    return future;
  }

  private TaskExecutor executorFor(AppDefinition app) {
    if (!appExecutors.isEmpty()) {
      String mapped = appExecutors.get(app.name());
      if (mapped != null) {
        return executors.get(mapped);
      }
    }
    if (app.executor().isEmpty()) {
      return defaultExecutor;
    }
    TaskExecutor executor = executors.get(app.executor().get());
    if (executor == null) {
      throw new IllegalArgumentException("app " + app.name() + " asks for executor '" + app.executor().get()
          + "', but the executors are " + executors.keySet());
    }
    return executor;
  }

  /** Called once the task's inputs are all done: reuse a memoized result or hand it to its executor. */
  void launch(Task task) {
    if (cancelling) {
      task.finish(TaskState.FAILED, null, new CancellationException("run " + runId + " was closed before task "
          + task.id + " (" + task.app.name() + ") started"));
      return;
    }
    if (!task.resolveArgs()) {
      return; // cancelled meanwhile
    }
    if (task.app.memoize() && memo.reuse(task, this::launch)) {
      return;
    }
    if (task.markLaunched()) {
      events.launched(task);
      task.executor.submit(task);
    }
  }

  void succeeded(Task task, Object result) {
    task.finish(TaskState.DONE, result, null);
  }

  void failed(Task task, Throwable error) {
    int allowed = task.app.retries().orElse(retries);
    if (!cancelling && task.attempt() <= allowed && !(error instanceof CancellationException)
        && retryPolicy.shouldRetry(error, task.attempt()) && task.markRetry()) {
      retried.increment();
      log.debug("retrying {} after attempt {} failed: {}", task, task.attempt() - 1, error.toString());
      events.attemptFailed(task, task.attempt() - 1, error);
      events.launched(task);
      task.executor.submit(task);
      return;
    }
    task.finish(TaskState.FAILED, null, error);
  }

  /** Bookkeeping of a task that reached a terminal state, before its future completes. */
  void finished(Task task, TaskState state, Object value, Throwable error) {
    switch (state) {
      case DONE -> succeeded.increment();
      case DEP_FAILED -> dependencyFailed.increment();
      default -> failed.increment();
    }
    memo.finished(task, value, error);
    events.finished(task, state, error, task.reused() ? "memo" : null);
  }

  /** Where tasks report what happens to them, for whoever watches the run. */
  RunEvents events() {
    return events;
  }

  /** After a task's future completed. */
  void settled() {
    outstanding.settled();
  }

  public RunStats stats() {
    return new RunStats(nextTaskId.get(), succeeded.sum(), failed.sum(), dependencyFailed.sum(), retried.sum(),
        memo.hits(), memo.checkpointHits(), memo.checkpointLoaded());
  }

  /**
   * Blocks until no task is unfinished: every task submitted so far has finished, and so has any
   * submitted meanwhile. The last task to finish wakes the caller.
   */
  public void waitForCurrentTasks() throws InterruptedException {
    outstanding.awaitNone();
  }

  /** Closes with the configured {@link ShutdownMode} (by default, waits for every task). */
  @Override
  public void close() {
    close(shutdownMode);
  }

  public void close(ShutdownMode mode) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closing = true;
    if (mode == ShutdownMode.CANCEL) {
      cancelling = true;
      executors.values().forEach(executor -> executor.shutdown(true));
    }
    boolean interrupted = outstanding.awaitNoneUninterruptibly();
    try {
      for (TaskExecutor executor : executors.values()) {
        executor.shutdown(false);
        executor.close();
      }
    } finally {
      // After the executors: until they have closed they may still hand completions over.
      interrupted |= stopCompletions();
      memo.close();
    }
    RunStats stats = stats();
    try {
      events.runEnded(new RunEnd(runId, Instant.now(), stats.submitted(), stats.succeeded(), stats.failed(),
          stats.dependencyFailed()));
    } finally {
      events.close();
    }
    log.info("run {} closed: {} tasks, {} succeeded ({} reused, {} from checkpoint), {} failed, {} not run "
            + "after an input failed", runId, stats.submitted(), stats.succeeded(), stats.memoHits(),
        stats.checkpointHits(), stats.failed(), stats.dependencyFailed());
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Lets the completions already handed over finish (whatever an executor does after completing
   * a task, the callbacks of futures derived from it) before the kernel reports itself closed.
   *
   * @return true if this thread was interrupted while waiting
   */
  private boolean stopCompletions() {
    completions.shutdown();
    boolean interrupted = false;
    while (true) {
      try {
        if (completions.awaitTermination(1, TimeUnit.DAYS)) {
          return interrupted;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  /** Daemon threads, so that a program that forgets to close its kernel can still exit. */
  private record CompletionThreads(String runId, AtomicInteger count) implements ThreadFactory {
    CompletionThreads(String runId) {
      this(runId, new AtomicInteger());
    }

    @Override
    public Thread newThread(Runnable runnable) {
      Thread thread = new Thread(runnable, "shoal-" + runId + "-completions-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }

  /**
   * Configuration of a kernel. {@link #build()} leaves the builder as it was, so a builder builds
   * kernel after kernel as far as the parts it was given allow:
   * <ul>
   *   <li>without executors, each kernel gets a thread pool of its own;
   *   <li>an executor holds threads or queues and serves the one kernel that started it: a second
   *       {@code build()} of a builder given executors fails with an {@link IllegalStateException}
   *       from the executor's start; give each kernel executors of its own;
   *   <li>a checkpoint file serves one open kernel at a time; kernels built one after another
   *       share it, each reusing what those before it wrote;
   *   <li>a run id given here is the run id of every kernel built.
   * </ul>
   */
  public static final class Builder {
    private final List<TaskExecutor> executors = new ArrayList<>();
    private final Map<String, String> appExecutors = new HashMap<>();
    private int retries;
    private RetryPolicy retryPolicy = RetryPolicy.ANY;
    private ShutdownMode shutdownMode = ShutdownMode.WAIT;
    private Path checkpoint;
    private Path runDir = Path.of("runinfo");
    private String runId;
    private final List<RunListener> listeners = new ArrayList<>();
    /** Listeners made per kernel from a configuration, given the folder of its runs. */
    private final List<java.util.function.Function<Path, List<RunListener>>> monitors = new ArrayList<>();
    private String program = System.getProperty("sun.java.command", "");

    private Builder() {}

    /**
     * Tells this listener everything that happens in the run (a task database, metrics, a progress
     * bar, or one of your own). The kernel closes it when it closes; a builder that builds several
     * kernels hands each the same listener, so give a listener to one builder for one kernel.
     */
    public Builder listener(RunListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** What started the run, as its monitors show it (default: the main class and its arguments). */
    public Builder program(String program) {
      this.program = Objects.requireNonNull(program, "program");
      return this;
    }

    /** Adds an executor; the first one added runs every app that is not mapped elsewhere. */
    public Builder executor(TaskExecutor executor) {
      executors.add(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /** Runs this app on the executor with this label, whatever the app itself asks for. */
    public Builder mapApp(String appName, String executorLabel) {
      appExecutors.put(Objects.requireNonNull(appName, "appName"), Objects.requireNonNull(executorLabel, "executorLabel"));
      return this;
    }

    /** Retries of a failed task, for apps that declare none (default 0). */
    public Builder retries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be >= 0: " + retries);
      }
      this.retries = retries;
      return this;
    }

    /** Which failures are worth a retry (default: any). */
    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    public Builder shutdownMode(ShutdownMode mode) {
      this.shutdownMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Keeps the results of memoizing apps in this file, and reuses those already there: a re-run
     * of the same program skips every task it completed before.
     */
    public Builder checkpoint(Path file) {
      this.checkpoint = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The folder under which each run gets its own folder (default {@code runinfo}). */
    public Builder runDir(Path runDir) {
      this.runDir = Objects.requireNonNull(runDir, "runDir");
      return this;
    }

    public Builder runId(String runId) {
      this.runId = Objects.requireNonNull(runId, "runId");
      return this;
    }

    /**
     * Takes what the configuration sets (run folder and id, retries, shutdown mode, checkpoint,
     * app mapping) and adds its executors, new ones at each call, after any added before; what
     * it leaves out stays as it was, and more can be added after.
     */
    public Builder configure(ShoalConfig config) {
      config.runDir().ifPresent(this::runDir);
      config.runId().ifPresent(this::runId);
      config.retries().ifPresent(this::retries);
      config.retryPolicy().ifPresent(this::retryPolicy);
      config.shutdownMode().ifPresent(this::shutdownMode);
      config.checkpoint().ifPresent(this::checkpoint);
      config.newExecutors().forEach(this::executor);
      config.apps().forEach(this::mapApp);
      MonitoringConfig monitoring = config.monitoring();
      // Made at each build, for the run folder it ends with: each kernel closes its own.
      MonitorProvider.find().ifPresent(provider ->
          monitors.add(runs -> provider.listeners(monitoring.settings(runs))));
      return this;
    }

    public DataFlowKernel build() {
      return new DataFlowKernel(this);
    }
  }
}
