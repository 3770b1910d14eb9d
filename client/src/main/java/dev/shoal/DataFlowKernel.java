package dev.shoal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.App0;
import dev.shoal.app.App1;
import dev.shoal.app.App2;
import dev.shoal.app.App3;
import dev.shoal.app.App4;
import dev.shoal.app.AppDefinition;
import dev.shoal.codec.EncodingException;
import dev.shoal.codec.JsonCodec;
import dev.shoal.executor.RunContext;
import dev.shoal.executor.TaskExecutor;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ThreadLocalRandom;
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
  private final Checkpoint checkpoint;
  /** Where executors complete tasks whose results arrive on a thread they must not stall. */
  private final ExecutorService completions;
  /** Memo key to this run's future for it, or to a checkpointed result as JSON. */
  private final ConcurrentHashMap<String, Object> memo = new ConcurrentHashMap<>();

  /**
   * Input callbacks nested on each thread: completing one task completes its dependents inline,
   * so a long chain would recurse once per task; past a depth, Task continues on another thread.
   */
  final ThreadLocal<int[]> callbackDepth = ThreadLocal.withInitial(() -> new int[1]);
  private final AtomicLong nextTaskId = new AtomicLong();
  private final AtomicLong outstanding = new AtomicLong();
  private final Object idle = new Object();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder dependencyFailed = new LongAdder();
  private final LongAdder retried = new LongAdder();
  private final LongAdder memoHits = new LongAdder();
  private final LongAdder checkpointHits = new LongAdder();
  private final long checkpointLoaded;
  private volatile boolean closing;
  private volatile boolean cancelling;
  private boolean closed;

  private DataFlowKernel(Builder builder) {
    this.runId = builder.runId != null ? builder.runId : newRunId();
    this.runDir = builder.runDir.resolve(runId);
    this.codec = JsonCodec.create();
    if (builder.executors.isEmpty()) {
      builder.executors.add(ThreadPoolTaskExecutor.create());
    }
    Map<String, TaskExecutor> byLabel = new LinkedHashMap<>();
    for (TaskExecutor executor : builder.executors) {
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
    this.defaultExecutor = builder.executors.get(0);
    this.appExecutors = Map.copyOf(builder.appExecutors);
    this.retries = builder.retries;
    this.retryPolicy = builder.retryPolicy;
    this.shutdownMode = builder.shutdownMode;
    this.completions = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        new CompletionThreads(runId));
    this.checkpoint = builder.checkpoint != null ? Checkpoint.open(builder.checkpoint, codec) : null;
    this.checkpointLoaded = checkpoint != null ? checkpoint.loaded().size() : 0;
    if (checkpoint != null) {
      memo.putAll(checkpoint.loaded());
      log.info("run {}: checkpoint {} holds {} results", runId, checkpoint.file(), checkpointLoaded);
    }
    RunContext context = new RunContext(runId, runDir, codec, completions);
    List<TaskExecutor> started = new ArrayList<>();
    try {
      for (TaskExecutor executor : byLabel.values()) {
        executor.start(context);
        started.add(executor);
      }
    } catch (RuntimeException e) {
      started.forEach(executor -> {
        executor.shutdown(true);
        executor.close();
      });
      completions.shutdownNow();
      throw e;
    }
    log.info("run {} started with executors {}", runId, byLabel.keySet());
  }

  public static Builder builder() {
    return new Builder();
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
    outstanding.incrementAndGet();
    Task task = new Task(this, nextTaskId.incrementAndGet(), app, executor, args);
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
    Object[] args = task.resolveArgs();
    if (task.app.memoize() && reuse(task, args)) {
      return;
    }
    if (task.markLaunched()) {
      task.executor.submit(task);
    }
  }

  /** Returns true when the task was finished from the memo, or will be when its twin finishes. */
  private boolean reuse(Task task, Object[] args) {
    AppDefinition app = task.app;
    try {
      task.memoKey = codec.digest(app.name(), app.version(), args);
    } catch (EncodingException e) {
      task.finish(TaskState.FAILED, null, new EncodingException("app " + app.name()
          + " memoizes, so its arguments must be JSON-encodable: " + e.getMessage(), e));
      return true;
    }
    Object prior = memo.putIfAbsent(task.memoKey, task.future);
    if (prior == null) {
      return false;
    }
    if (prior instanceof JsonNode json) {
      Object value;
      try {
        value = codec.decode(json, app.resultType());
      } catch (EncodingException e) {
        log.warn("checkpointed result of {} no longer decodes, running it again: {}", app.name(), e.getMessage());
        memo.put(task.memoKey, task.future);
        return false;
      }
      checkpointHits.increment();
      finishReused(task, value);
      return true;
    }
    AppFuture<?> twin = (AppFuture<?>) prior;
    twin.whenComplete((value, error) -> {
      if (error == null) {
        finishReused(task, value);
      } else if (task.state() == TaskState.PENDING) {
        launch(task); // the twin failed and left the memo: compute it ourselves (unless cancelled meanwhile)
      }
    });
    return true;
  }

  private void finishReused(Task task, Object value) {
    task.reused = true;
    if (!task.finish(TaskState.DONE, value, null)) {
      task.reused = false; // finished meanwhile (cancelled while it waited for its twin): nothing was reused
    }
  }

  void succeeded(Task task, Object result) {
    if (task.finish(TaskState.DONE, result, null) && task.memoKey != null && checkpoint != null && !task.reused) {
      checkpoint.append(task.memoKey, task.app.name(), task.app.version(), result);
    }
  }

  void failed(Task task, Throwable error) {
    int allowed = task.app.retries().orElse(retries);
    if (!cancelling && task.attempt() <= allowed && !(error instanceof CancellationException)
        && retryPolicy.shouldRetry(error, task.attempt()) && task.markRetry()) {
      retried.increment();
      log.debug("retrying {} after attempt {} failed: {}", task, task.attempt() - 1, error.toString());
      task.executor.submit(task);
      return;
    }
    task.finish(TaskState.FAILED, null, error);
  }

  /** Bookkeeping of a task that reached a terminal state, before its future completes. */
  void finished(Task task, TaskState state, Object value, Throwable error) {
    switch (state) {
      case DONE -> {
        succeeded.increment();
        if (task.reused) {
          memoHits.increment();
        }
      }
      case DEP_FAILED -> dependencyFailed.increment();
      default -> failed.increment();
    }
    if (error != null && task.memoKey != null) {
      memo.remove(task.memoKey, task.future);
    }
  }

  /** After a task's future completed. */
  void settled() {
    if (outstanding.decrementAndGet() == 0 && closing) {
      synchronized (idle) {
        idle.notifyAll();
      }
    }
  }

  public RunStats stats() {
    return new RunStats(nextTaskId.get(), succeeded.sum(), failed.sum(), dependencyFailed.sum(), retried.sum(),
        memoHits.sum(), checkpointHits.sum(), checkpointLoaded);
  }

  /** Blocks until every task submitted so far has finished. */
  public void waitForCurrentTasks() throws InterruptedException {
    synchronized (idle) {
      while (outstanding.get() > 0) {
        idle.wait(10);
      }
    }
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
    boolean interrupted = false;
    if (mode == ShutdownMode.CANCEL) {
      cancelling = true;
      executors.values().forEach(executor -> executor.shutdown(true));
    }
    synchronized (idle) {
      while (outstanding.get() > 0) {
        try {
          idle.wait(10);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    for (TaskExecutor executor : executors.values()) {
      executor.shutdown(false);
      executor.close();
    }
    completions.shutdown();
    if (checkpoint != null) {
      try {
        checkpoint.close();
      } catch (IOException e) {
        log.warn("could not close checkpoint {}: {}", checkpoint.file(), e.toString());
      }
    }
    RunStats stats = stats();
    log.info("run {} closed: {} tasks, {} succeeded ({} reused, {} from checkpoint), {} failed, {} not run "
            + "after an input failed", runId, stats.submitted(), stats.succeeded(), stats.memoHits(),
        stats.checkpointHits(), stats.failed(), stats.dependencyFailed());
    if (interrupted) {
      Thread.currentThread().interrupt();
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

  /** Configuration of a kernel. */
  public static final class Builder {
    private final List<TaskExecutor> executors = new ArrayList<>();
    private final Map<String, String> appExecutors = new HashMap<>();
    private int retries;
    private RetryPolicy retryPolicy = RetryPolicy.ANY;
    private ShutdownMode shutdownMode = ShutdownMode.WAIT;
    private Path checkpoint;
    private Path runDir = Path.of("runinfo");
    private String runId;

    private Builder() {}

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

    public DataFlowKernel build() {
      return new DataFlowKernel(this);
    }
  }
}
