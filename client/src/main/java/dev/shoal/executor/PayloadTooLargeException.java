package dev.shoal.executor;

/** A task's encoded arguments do not fit in one queue message. */
public class PayloadTooLargeException extends RuntimeException {
  PayloadTooLargeException(long taskId, String app, int bytes, int limit) {
    super("task " + taskId + " (" + app + ") encodes to " + bytes + " bytes, over the queue's message limit of "
        + limit + " bytes; pass large data by reference (a path, a URL or an object-store key) instead");
  }
}
