package dev.shoal.app;

/** A value could not be encoded as JSON, or JSON could not be decoded as the type asked for. */
public class EncodingException extends RuntimeException {
  public EncodingException(String message, Throwable cause) {
    super(message, cause);
  }
}
