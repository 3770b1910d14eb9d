package dev.shoal.executor;

/** A task's encoded arguments do not fit in one queue message, and there is no payload store to carry them. */
public class PayloadTooLargeException extends RuntimeException {
  PayloadTooLargeException(long taskId, String app, int bytes, int limit) {
    super("task " + taskId + " (" + app + ") encodes to " + bytes + " bytes, over the queue's message limit of "
        + limit + " bytes; give the executor a payload store (QueueExecutor.Builder.payloadStore) to carry it "
        + "through object storage, or pass large data by reference (a path, a URL or an object-store key) instead");
  }

  PayloadTooLargeException(long taskId, String app, long bytes, long limit, String where) {
    super("task " + taskId + " (" + app + ") encodes to " + bytes + " bytes, over the limit of " + limit
        + " bytes " + where);
  }
}
