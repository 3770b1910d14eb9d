package dev.shoal.spi;

import dev.shoal.app.AppDefinition;
import java.time.Instant;

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

  /**
   * Tells whoever watches the run that the attempt was put on this queue; nothing else depends on
   * it. Call it before the attempt's outcome.
   */
  default void queued(String queue) {}

  /**
   * Tells whoever watches the run where and when the attempt ran, as far as the executor knows
   * (a remote worker says so in its result; null for what is unknown); nothing else depends on it.
   * Call it before {@link #succeeded} or {@link #failed}.
   */
  default void ranOn(String worker, Instant received, Instant started, Instant ended) {}

  void succeeded(Object result);

  void failed(Throwable error);
}
