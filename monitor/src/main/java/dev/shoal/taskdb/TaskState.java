package dev.shoal.taskdb;

import dev.shoal.monitor.TaskEvent.Transition;
import java.util.Locale;

/**
 * A task's state as the {@code tasks} table keeps it. It only moves forward: a remote worker's
 * timings arrive with its result, after the client saw the task queued, and must not move it back.
 */
public enum TaskState {
  PENDING,
  LAUNCHED,
  QUEUED,
  RUNNING,
  RETRYING,
  DONE,
  FAILED,
  DEP_FAILED;

  /** The value in the {@code state} column. */
  public String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TaskState ofColumn(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  public boolean isTerminal() {
    return this == DONE || this == FAILED || this == DEP_FAILED;
  }

  TaskState after(Transition transition) {
    if (isTerminal()) {
      return this;
    }
    return switch (transition) {
      case SUBMITTED -> this;
      // A retry's launch is the one step back a task takes: its next attempt starts over.
      case LAUNCHED -> LAUNCHED;
      case QUEUED -> this == LAUNCHED ? QUEUED : this;
      case RECEIVED, STARTED, ENDED -> this == RETRYING ? this : RUNNING;
      case ATTEMPT_FAILED -> RETRYING;
      case DONE -> DONE;
      case FAILED -> FAILED;
      case DEP_FAILED -> DEP_FAILED;
    };
  }
}
