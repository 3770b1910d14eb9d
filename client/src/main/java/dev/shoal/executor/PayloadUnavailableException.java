package dev.shoal.executor;

import java.net.URI;

/**
 * A payload carried by claim check (a task's arguments or its result, put in a payload store
 * because it was too large for a queue message) could not be fetched, or was not the payload
 * sent: it is gone, the store did not answer, or its size or SHA-256 differ from its reference.
 * The message names the object and says why.
 */
public class PayloadUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient URI location;

  PayloadUnavailableException(long taskId, String app, String what, URI location, String reason, Throwable cause) {
    super("the " + what + " of task " + taskId + " (" + app + ") at " + location + " " + reason, cause);
    this.location = location;
  }

  /** A worker reports that it could not fetch or verify the task's arguments. */
  PayloadUnavailableException(long taskId, String app, String worker, URI location, String reason) {
    super("task " + taskId + " (" + app + ") could not be run by worker " + worker + ": " + reason);
    this.location = location;
  }

  /** Where the payload was to be; null when the worker that reported it did not say. */
  public URI location() {
    return location;
  }
}
