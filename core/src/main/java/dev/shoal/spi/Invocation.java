package dev.shoal.spi;

import dev.shoal.app.AppDefinition;

/**
 * One attempt of a task, as an executor sees it: the app, its resolved arguments, and the
 * callbacks through which the executor reports progress. Exactly one of {@link #succeeded} or
 * {@link #failed} must be called per attempt.
 */
public interface Invocation {
  long taskId();

  AppDefinition app();

  /** The resolved arguments, in the app's parameter order. */
  Object[] args();

  /** The attempt number, from 1. */
  int attempt();

  /**
   * Called when the attempt starts running.
   *
   * @return false when the task was cancelled meanwhile: the executor must skip it
   */
  boolean started();

  void succeeded(Object result);

  void failed(Throwable error);
}
