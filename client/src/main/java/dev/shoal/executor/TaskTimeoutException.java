package dev.shoal.executor;

import java.time.Duration;

/** No result came back for a task within its executor's task timeout. */
public class TaskTimeoutException extends RuntimeException {
  TaskTimeoutException(long taskId, String app, Duration timeout) {
    super("no result for task " + taskId + " (" + app + ") within " + timeout
        + ": no worker took it, or the worker running it was lost and the task was dead-lettered");
  }
}
