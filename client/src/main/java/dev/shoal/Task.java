package dev.shoal;

import dev.shoal.app.AppDefinition;
import dev.shoal.app.EncodingException;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.spi.Invocation;
import dev.shoal.spi.TaskExecutor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * A node of the DAG. Its state only moves forward, by compare-and-set, so that a result, a
 * dependency failure and a cancellation racing each other finish the task exactly once. Only the
 * task writes its fields; the kernel decides where it goes and keeps the run's books.
 */
final class Task implements Invocation {
  private static final VarHandle STATE;
  private static final VarHandle PENDING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(Task.class, "state", TaskState.class);
      PENDING = lookup.findVarHandle(Task.class, "pending", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final long id;
  final AppDefinition app;
  final TaskExecutor executor;
  final AppFuture<Object> future;
  /**
   * A memoizing task's own outcome, which identical calls wait for: its future may hold something
   * else, completed earlier by a user's timeout. Null for a task that does not memoize.
   */
  private final CompletableFuture<Object> outcome;
  private final DataFlowKernel kernel;
  private final CallbackDepth callbacks;
  /** Arguments as given (futures, gathers, values) until launch, then resolved values; null once finished. */
  private Object[] args;
  private volatile TaskState state = TaskState.PENDING;
  @SuppressWarnings("unused") // through PENDING
  private volatile int pending;
  private volatile int attempt;
  /** Set by the call that finished the task from the memo. */
  private volatile boolean reused;
  /** Set when a memoizing task launches: the key identical calls share. */
  private volatile String memoKey;

  Task(DataFlowKernel kernel, CallbackDepth callbacks, long id, AppDefinition app, TaskExecutor executor, Object[] args) {
    this.kernel = kernel;
    this.callbacks = callbacks;
    this.id = id;
    this.app = app;
    this.executor = executor;
    this.args = args;
    this.future = new AppFuture<>(this);
    this.outcome = app.memoize() ? new CompletableFuture<>() : null;
  }

  TaskState state() {
    return state;
  }

  /** True when the task finished with a result reused from the memo instead of computed. */
  boolean reused() {
    return reused;
  }

  /** The key identical calls share, or null if the task does not memoize or has not launched. */
  String memoKey() {
    return memoKey;
  }

  /**
   * The key identical calls share: a digest of the app, its version and the resolved arguments.
   * Computed on the first call, after {@link #resolveArgs()}.
   */
  String memoKey(JsonCodec codec) throws EncodingException {
    String key = memoKey;
    if (key == null) {
      key = codec.digest(app.name(), app.version(), args);
      memoKey = key;
    }
    return key;
  }

  /** Wires this task to its inputs; launches it when none is pending. */
  void awaitInputs() {
    int futures = 0;
    for (Object arg : args) {
      if (arg instanceof AppFuture) {
        futures++;
      } else if (arg instanceof Arg.All<?> all) {
        for (Object element : all.elements()) {
          if (element instanceof AppFuture) {
            futures++;
          }
        }
      }
    }
    if (futures == 0) {
      kernel.launch(this);
      return;
    }
    // One extra count, released below, so the task cannot launch while inputs are still being wired.
    pending = futures + 1;
    for (Object arg : args) {
      if (arg instanceof AppFuture<?> input) {
        listen(input);
      } else if (arg instanceof Arg.All<?> all) {
        for (Object element : all.elements()) {
          if (element instanceof AppFuture<?> input) {
            listen(input);
          }
        }
      }
    }
    inputDone();
  }

  private void listen(AppFuture<?> input) {
    input.whenComplete((value, error) -> inputCompleted(input, error));
  }

  // Finishing this task here runs its dependents' callbacks nested in this one: the depth guard
  // keeps a long chain from overflowing the stack.
  private void inputCompleted(AppFuture<?> input, Throwable error) {
    callbacks.run(() -> {
      if (error != null) {
        inputFailed(input, error);
      }
      inputDone();
    });
  }

  private void inputDone() {
    if ((int) PENDING.getAndAdd(this, -1) == 1 && state == TaskState.PENDING) {
      kernel.launch(this);
    }
  }

  // Fail as soon as one input fails (lazy fail: only this branch of the DAG stops), naming every
  // input that has failed by now; inputs still running are not waited for.
  private void inputFailed(AppFuture<?> input, Throwable error) {
    Object[] given = args;
    if (given == null) {
      return; // finished meanwhile
    }
    Map<Long, DependencyFailedException.FailedInput> failed = new LinkedHashMap<>();
    failed.put(input.taskId(), failedInput(input, error));
    for (Object arg : given) {
      if (arg instanceof AppFuture<?> other) {
        addIfFailed(failed, other);
      } else if (arg instanceof Arg.All<?> all) {
        for (Object element : all.elements()) {
          if (element instanceof AppFuture<?> other) {
            addIfFailed(failed, other);
          }
        }
      }
    }
    finish(TaskState.DEP_FAILED, null, new DependencyFailedException(id, app.name(), List.copyOf(failed.values())));
  }

  private static void addIfFailed(Map<Long, DependencyFailedException.FailedInput> failed, AppFuture<?> input) {
    if (input.isCompletedExceptionally() && !failed.containsKey(input.taskId())) {
      failed.put(input.taskId(), failedInput(input, failure(input)));
    }
  }

  private static DependencyFailedException.FailedInput failedInput(AppFuture<?> input, Throwable error) {
    long root = error instanceof DependencyFailedException upstream ? upstream.rootTaskId() : input.taskId();
    return new DependencyFailedException.FailedInput(input.taskId(), input.appName(), root, error);
  }

  /** What a future that completed exceptionally failed with, as its callbacks see it. */
  private static Throwable failure(AppFuture<?> failed) {
    try {
      failed.getNow(null);
      throw new IllegalStateException(failed + " did not fail");
    } catch (CompletionException e) {
      return e.getCause() != null ? e.getCause() : e;
    } catch (CancellationException e) {
      return e;
    }
  }

  /**
   * Replaces futures and gathers by their values; every input is complete by now.
   *
   * @return false if the task was finished meanwhile (cancelled): it has no arguments left
   */
  boolean resolveArgs() {
    Object[] resolved = args;
    if (resolved == null) {
      return false;
    }
    for (int i = 0; i < resolved.length; i++) {
      resolved[i] = resolve(resolved[i]);
    }
    return true;
  }

  private static Object resolve(Object arg) {
    if (arg instanceof AppFuture<?> input) {
      return input.join();
    }
    if (arg instanceof Arg.All<?> all) {
      List<Object> values = new ArrayList<>(all.elements().size());
      for (Object element : all.elements()) {
        values.add(resolve(element));
      }
      return values;
    }
    if (arg instanceof Arg.Value<?> value) {
      return value.value();
    }
    return arg;
  }

  /** Moves PENDING to LAUNCHED for a new attempt; false if the task was finished meanwhile. */
  boolean markLaunched() {
    if (STATE.compareAndSet(this, TaskState.PENDING, TaskState.LAUNCHED)) {
      attempt = 1;
      return true;
    }
    return false;
  }

  /** Sets up the next attempt after a failure; false if the task was finished meanwhile. */
  boolean markRetry() {
    TaskState current = state;
    // An executor may fail an attempt before it started (LAUNCHED) or while it ran (RUNNING).
    if ((current == TaskState.RUNNING || current == TaskState.LAUNCHED)
        && STATE.compareAndSet(this, current, TaskState.LAUNCHED)) {
      attempt = attempt + 1;
      return true;
    }
    return false;
  }

  boolean cancel() {
    TaskState current = state;
    if (current != TaskState.PENDING && current != TaskState.LAUNCHED) {
      return false;
    }
    return finish(TaskState.FAILED, null, new CancellationException("task " + id + " (" + app.name() + ") was cancelled"));
  }

  /**
   * Moves to a terminal state once; the winner completes the future.
   *
   * @return true if this call finished the task
   */
  boolean finish(TaskState terminal, Object value, Throwable error) {
    return finish(terminal, value, error, false);
  }

  /**
   * Finishes with a result that an identical call computed (in this run or one checkpointed).
   *
   * @return true if this call finished the task; false if it was finished meanwhile (cancelled)
   */
  boolean finishReused(Object value) {
    return finish(TaskState.DONE, value, null, true);
  }

  private boolean finish(TaskState terminal, Object value, Throwable error, boolean fromMemo) {
    TaskState current;
    do {
      current = state;
      if (current.isTerminal()) {
        return false;
      }
    } while (!STATE.compareAndSet(this, current, terminal));
    // Only the winner gets here, and before the future completes: whoever sees the result sees this.
    if (fromMemo) {
      reused = true;
    }
    args = null;
    kernel.finished(this, terminal, value, error);
    if (error == null) {
      future.finish(value);
    } else {
      future.finishExceptionally(error);
    }
    if (outcome != null) {
      if (error == null) {
        outcome.complete(value);
      } else {
        outcome.completeExceptionally(error);
      }
    }
    kernel.settled();
    return true;
  }

  /**
   * Runs the action with the task's own outcome once it finished, whatever its future holds (a
   * user's timeout may have completed it first).
   */
  void whenFinished(BiConsumer<Object, Throwable> action) {
    if (outcome != null) {
      outcome.whenComplete(action);
    } else {
      future.whenComplete(action);
    }
  }

  // Invocation, as seen by executors.

  @Override
  public long taskId() {
    return id;
  }

  @Override
  public AppDefinition app() {
    return app;
  }

  @Override
  public Object[] args() {
    return args;
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public boolean started() {
    return STATE.compareAndSet(this, TaskState.LAUNCHED, TaskState.RUNNING);
  }

  @Override
  public void queued(String queue) {
    kernel.events().queued(this, queue);
  }

  @Override
  public void ranOn(String worker, Instant received, Instant started, Instant ended) {
    kernel.events().ranOn(this, worker, received, started, ended);
  }

  @Override
  public void succeeded(Object result) {
    kernel.succeeded(this, result);
  }

  @Override
  public void failed(Throwable error) {
    kernel.failed(this, error);
  }

  @Override
  public String toString() {
    return "task " + id + " (" + app.name() + ", " + state + ")";
  }
}
