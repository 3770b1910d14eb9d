package dev.shoal.taskdb;

/** The task database could not be opened, read or written. */
public class TaskDatabaseException extends RuntimeException {
  public TaskDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
