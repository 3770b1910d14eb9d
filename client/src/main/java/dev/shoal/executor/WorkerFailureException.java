package dev.shoal.executor;

/**
 * A worker could not run a task: unknown app, arguments it could not decode, a rejected signature,
 * an expired deadline, or a task that kept killing its workers and was dead-lettered. The message
 * is the worker's own explanation.
 */
public class WorkerFailureException extends RuntimeException {
  private final String worker;

  WorkerFailureException(long taskId, String app, String worker, String reason) {
    super("task " + taskId + " (" + app + ") could not be run by worker " + worker + ": " + reason);
    this.worker = worker;
  }

  /** The id of the worker that reported the failure. */
  public String worker() {
    return worker;
  }
}
