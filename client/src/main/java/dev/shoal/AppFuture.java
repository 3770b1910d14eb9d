package dev.shoal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The future result of an app call, returned at once. Pass it to another app call to make a
 * dependency. It is a {@link CompletableFuture} for reading and composing. Its task completes it,
 * so the completing methods throw {@link UnsupportedOperationException}, except the timeouts
 * ({@link #orTimeout}, {@link #completeOnTimeout}), which work as on any future and leave the task
 * running. A failed task completes it exceptionally with the app's own exception, or with a
 * {@link DependencyFailedException}.
 */
public final class AppFuture<T> extends CompletableFuture<T> implements Arg<T> {
  private final Task task;

  AppFuture(Task task) {
    this.task = task;
  }

  Task task() {
    return task;
  }

  /** The task's id, unique within its run. */
  public long taskId() {
    return task.id;
  }

  public String appName() {
    return task.app.name();
  }

  public TaskState state() {
    return task.state();
  }

  /** Attempts made so far (more than one after retries). */
  public int attempts() {
    return task.attempt();
  }

  /** True when the result was reused from this run's memo or a checkpoint instead of computed. */
  public boolean reused() {
    return task.reused();
  }

  /** Cancels the task if it has not started running; a task already running is not stopped. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return task.cancel();
  }

  @Override
  public boolean complete(T value) {
    throw new UnsupportedOperationException("only the kernel completes an AppFuture");
  }

  @Override
  public boolean completeExceptionally(Throwable error) {
    throw new UnsupportedOperationException("only the kernel completes an AppFuture");
  }

  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException("only the kernel completes an AppFuture");
  }

  @Override
  public void obtrudeException(Throwable error) {
    throw new UnsupportedOperationException("only the kernel completes an AppFuture");
  }

  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, java.util.concurrent.Executor executor) {
    throw new UnsupportedOperationException("only the kernel completes an AppFuture");
  }

  /**
   * Fails this future with a {@link TimeoutException} if its task has not finished within the
   * timeout. The task is not cancelled: it keeps running ({@link DataFlowKernel#close()} waits for
   * it, {@link #state()} tells how it ends, and a memoizing task's result is still kept for identical
   * calls); call {@link #cancel} to stop it. Tasks that took this future as an input see the timeout,
   * as would any stage composed on it, and fail with a {@link DependencyFailedException}.
   *
   * @return this future
   */
  @Override
  public AppFuture<T> orTimeout(long timeout, TimeUnit unit) {
    Duration limit = Duration.of(timeout, Objects.requireNonNull(unit, "unit").toChronoUnit());
    afterTimeout(timeout, unit, () -> super.completeExceptionally(new TimeoutException("task " + task.id + " ("
        + task.app.name() + ") did not finish within " + limit + "; the task was not cancelled")));
    return this;
  }

  /**
   * Completes this future with {@code value} if its task has not finished within the timeout. The
   * task keeps running, as with {@link #orTimeout}; tasks that took this future as an input get
   * {@code value}, as would any stage composed on it.
   *
   * @return this future
   */
  @Override
  public AppFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    afterTimeout(timeout, unit, () -> super.complete(value));
    return this;
  }

  // The JDK's own timer, on a plain future: it is forgotten as soon as this future completes.
  private void afterTimeout(long timeout, TimeUnit unit, Runnable onTimeout) {
    if (isDone()) {
      return;
    }
    CompletableFuture<Void> timer = new CompletableFuture<Void>().orTimeout(timeout, unit);
    timer.whenComplete((ignored, error) -> {
      if (error instanceof TimeoutException) {
        onTimeout.run();
      }
    });
    whenComplete((value, error) -> timer.complete(null));
  }

  // Derived stages are plain futures: they have no task behind them.
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  void finish(T value) {
    super.complete(value);
  }

  void finishExceptionally(Throwable error) {
    super.completeExceptionally(error);
  }

  @Override
  public String toString() {
    return "AppFuture[task " + task.id + " " + task.app.name() + " " + task.state() + "]";
  }
}
