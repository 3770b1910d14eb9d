package dev.shoal.azure.functions;

import java.util.Optional;

/**
 * Resource Manager refused or failed a read or write of a function app's settings: what the switch
 * was doing, ARM's HTTP status, its error code and message, and what that status usually means
 * here (403: the dispatcher's identity lacks the role; 409: another change to the app is under way).
 */
public final class AppSettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;
  private final String errorCode;

  AppSettingsException(String message, int statusCode, String errorCode, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }

  /** ARM's HTTP status; 0 when no answer came (a timeout, a connection that failed). */
  public int statusCode() {
    return statusCode;
  }

  /** ARM's error code ("AuthorizationFailed", "Conflict", ...), if it gave one. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }
}
