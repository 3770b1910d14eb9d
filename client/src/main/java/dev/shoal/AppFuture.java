package dev.shoal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The future result of an app call, returned at once. Pass it to another app call to make a
 * dependency. It is a {@link CompletableFuture} for reading and composing; only the kernel
 * completes it, so the completing methods throw {@link UnsupportedOperationException}
 * (compose on a {@link #copy()} to add timeouts). A failed task completes it exceptionally with
 * the app's own exception, or with a {@link DependencyFailedException}.
 */
public final class AppFuture<T> extends CompletableFuture<T> implements Arg<T> {
  private final Task task;

  AppFuture(Task task) {
    this.task = task;
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

  @Override
  public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("an AppFuture is completed only by its task; use copy().orTimeout(...)");
  }

  @Override
  public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
    throw new UnsupportedOperationException("an AppFuture is completed only by its task; use copy().completeOnTimeout(...)");
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
