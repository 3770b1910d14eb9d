package dev.shoal.internal.wire;

/** A queue message that is not a valid Shoal envelope: malformed, unknown version, missing fields, forged. */
public class InvalidEnvelopeException extends RuntimeException {
  public InvalidEnvelopeException(String message) {
    super(message);
  }

  public InvalidEnvelopeException(String message, Throwable cause) {
    super(message, cause);
  }
}
