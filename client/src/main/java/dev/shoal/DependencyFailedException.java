package dev.shoal;

import java.util.List;
import java.util.Objects;

/**
 * A task was not run because its inputs failed. It names every input that had failed when the task
 * was failed, which is as soon as the first one did (lazy fail: the task does not wait for its other
 * inputs, which keep running, and a failure among them later is not added here). The cause is the
 * first failed input's own failure; {@link #rootTaskId()} names the task where that failure
 * started, however far upstream.
 */
public class DependencyFailedException extends RuntimeException {
  /** Inputs named in the message; {@link #failedInputs()} has them all. */
  private static final int NAMED_IN_MESSAGE = 5;

  /**
   * An input that failed.
   *
   * @param taskId the input's task
   * @param app the input's app
   * @param rootTaskId the task where its failure started: itself, or a task upstream of it
   * @param error what the input failed with
   */
  public record FailedInput(long taskId, String app, long rootTaskId, Throwable error) {
    public FailedInput {
      Objects.requireNonNull(app, "app");
      Objects.requireNonNull(error, "error");
    }

    /** The input's failure, or the failure where it started if the input failed for want of its own inputs. */
    Throwable rootError() {
      return error instanceof DependencyFailedException upstream ? upstream.rootError : error;
    }
  }

  private final long taskId;
  private final List<FailedInput> failedInputs;
  private final Throwable rootError;

  /** @param failedInputs the inputs that had failed, the one whose failure was seen first at the head */
  DependencyFailedException(long taskId, String app, List<FailedInput> failedInputs) {
    super(message(taskId, app, failedInputs), failedInputs.get(0).error(), true, false);
    this.taskId = taskId;
    this.failedInputs = List.copyOf(failedInputs);
    this.rootError = failedInputs.get(0).rootError();
  }

  // Each input is described by the failure where its chain started: naming the direct cause instead
  // would nest every upstream message, growing with the depth of the chain (quadratic down a long chain).
  private static String message(long taskId, String app, List<FailedInput> inputs) {
    StringBuilder message = new StringBuilder("task ").append(taskId).append(" (").append(app).append(") was not run: ");
    if (inputs.size() == 1) {
      return message.append("its input ").append(describe(inputs.get(0))).toString();
    }
    message.append(inputs.size()).append(" of its inputs had failed: ");
    for (int i = 0; i < Math.min(inputs.size(), NAMED_IN_MESSAGE); i++) {
      message.append(i == 0 ? "" : "; ").append(describe(inputs.get(i)));
    }
    if (inputs.size() > NAMED_IN_MESSAGE) {
      message.append("; and ").append(inputs.size() - NAMED_IN_MESSAGE).append(" more");
    }
    return message.toString();
  }

  private static String describe(FailedInput input) {
    return "task " + input.taskId() + " (" + input.app() + ") failed"
        + (input.rootTaskId() != input.taskId() ? ", starting at task " + input.rootTaskId() : "")
        + ": " + input.rootError();
  }

  public long taskId() {
    return taskId;
  }

  /** The direct input whose failure was seen first (the cause). */
  public long failedDependencyId() {
    return failedInputs.get(0).taskId();
  }

  /** The task whose own failure caused this one, possibly several edges upstream (of the first failed input). */
  public long rootTaskId() {
    return failedInputs.get(0).rootTaskId();
  }

  /** Every input that had failed when this task was failed, the first seen first, each once. */
  public List<FailedInput> failedInputs() {
    return failedInputs;
  }
}
