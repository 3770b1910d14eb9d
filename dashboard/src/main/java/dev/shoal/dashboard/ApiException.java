package dev.shoal.dashboard;

/** A request the API answers with an error status and a message, not a stack trace. */
final class ApiException extends RuntimeException {
  private final int status;

  private ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException methodNotAllowed(String message) {
    return new ApiException(405, message);
  }

  int status() {
    return status;
  }
}
