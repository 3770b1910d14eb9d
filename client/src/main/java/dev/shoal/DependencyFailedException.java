package dev.shoal;

/**
 * A task was not run because one of its inputs failed. The cause is the input's own failure;
 * {@link #rootTaskId()} names the task where the failure started, however far upstream.
 */
public class DependencyFailedException extends RuntimeException {
  private final long taskId;
  private final long failedDependencyId;
  private final long rootTaskId;
  private final Throwable rootError;

  DependencyFailedException(long taskId, String app, long failedDependencyId, String failedApp,
      long rootTaskId, Throwable cause) {
    super("task " + taskId + " (" + app + ") was not run: its input task " + failedDependencyId + " ("
        + failedApp + ") failed" + (rootTaskId != failedDependencyId ? ", starting at task " + rootTaskId : "")
        + ": " + rootError(cause), cause, true, false);
    this.taskId = taskId;
    this.failedDependencyId = failedDependencyId;
    this.rootTaskId = rootTaskId;
    this.rootError = rootError(cause);
  }

  // The message names the failure where the chain started: naming the direct cause instead would
  // nest every upstream message, growing with the depth of the chain (quadratic down a long chain).
  private static Throwable rootError(Throwable cause) {
    return cause instanceof DependencyFailedException upstream ? upstream.rootError : cause;
  }

  public long taskId() {
    return taskId;
  }

  /** The direct input that failed. */
  public long failedDependencyId() {
    return failedDependencyId;
  }

  /** The task whose own failure caused this one, possibly several edges upstream. */
  public long rootTaskId() {
    return rootTaskId;
  }
}
