package dev.shoal;

/** Where a task is in its life, as Parsl names it. */
public enum TaskState {
  /** Waiting for its inputs. */
  PENDING,
  /** Inputs ready, handed to an executor, not yet started. */
  LAUNCHED,
  /** Running on an executor. */
  RUNNING,
  /** Finished with a result (computed, or reused from memo). */
  DONE,
  /** The app failed (after any retries), or the task was cancelled. */
  FAILED,
  /** Not run because an input failed. */
  DEP_FAILED;

  public boolean isTerminal() {
    return this == DONE || this == FAILED || this == DEP_FAILED;
  }
}
