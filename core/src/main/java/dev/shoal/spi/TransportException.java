package dev.shoal.spi;

/** A queue operation failed: the service refused it, was unreachable, or the queue does not exist. */
public class TransportException extends RuntimeException {
  private final boolean retryable;

  public TransportException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  public TransportException(String message, boolean retryable) {
    this(message, null, retryable);
  }

  /** True when the same call may succeed later (throttling, a connection reset, a brief outage). */
  public boolean retryable() {
    return retryable;
  }
}
