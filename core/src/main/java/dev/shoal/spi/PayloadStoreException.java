package dev.shoal.spi;

/** A payload store could not put, fetch or delete an object; the message says which and why. */
public class PayloadStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PayloadStoreException(String message) {
    super(message);
  }

  public PayloadStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
