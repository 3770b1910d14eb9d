package dev.shoal.azure.vmss;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A request to Azure about the pool failed (to Resource Manager about its scale set and VMs, or to
 * Blob storage about its heartbeats), after the SDK's own retries: what the provider was doing, ARM's HTTP status and error code and message, and, when
 * ARM throttled it (429), how long it asked to wait.
 */
public final class ScaleSetException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int statusCode;
  private final String errorCode;
  private final transient Duration retryAfter;

  private ScaleSetException(String message, int statusCode, String errorCode, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.statusCode = statusCode;
    this.errorCode = errorCode;
    this.retryAfter = retryAfter;
  }

  /** The failure of {@code doing} (such as "growing scale set x from 2 to 5"), as ARM reported it. */
  static ScaleSetException of(String doing, HttpResponseException failure) {
    HttpResponse response = failure.getResponse();
    int status = response == null ? 0 : response.getStatusCode();
    String code = null;
    String message = null;
    if (failure instanceof ManagementException management && management.getValue() != null) {
      ManagementError error = management.getValue();
      code = error.getCode();
      message = error.getMessage();
    }
    if (message == null) {
      message = failure.getMessage();
    }
    Duration retryAfter = response == null ? null : retryAfter(response.getHeaderValue(HttpHeaderName.RETRY_AFTER));
    StringBuilder text = new StringBuilder(doing).append(" failed: ");
    if (status > 0) {
      text.append(failure instanceof ManagementException ? "ARM" : "Azure").append(" answered ").append(status);
    } else {
      text.append("the operation ended");
    }
    if (code != null) {
      text.append(' ').append(code);
    }
    text.append(": ").append(message);
    if (status == 429) {
      text.append(retryAfter != null ? " (throttled; ARM asks to retry after " + retryAfter.toSeconds() + " s)"
          : " (throttled)");
    }
    return new ScaleSetException(text.toString(), status, code, retryAfter, failure);
  }

  /**
   * An operation that ARM accepted and then reported as failed or cancelled, with the error of its
   * final status ({@code {"status":"Failed","error":{"code":..,"message":..}}}) when there is one.
   */
  static ScaleSetException operationFailed(String doing, String status, PollResult.Error error) {
    String code = null;
    String message = null;
    if (error != null) {
      message = error.getMessage();
      try {
        JsonNode body = error.getResponseBody() == null ? null : JSON.readTree(error.getResponseBody());
        if (body != null && body.path("error").isObject()) {
          code = body.path("error").path("code").asText(null);
          message = body.path("error").path("message").asText(message);
        }
      } catch (IOException e) {
        // Not JSON: the SDK's message is all there is.
      }
    }
    StringBuilder text = new StringBuilder(doing).append(" failed: ARM reported the operation ").append(status);
    if (code != null) {
      text.append(": ").append(code);
    }
    if (message != null) {
      text.append(code != null ? " " : ": ").append(message);
    }
    return new ScaleSetException(text.toString(), 0, code, null, null);
  }

  private static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      // An HTTP date: ARM sends seconds, so this is not worth parsing.
      return null;
    }
  }

  /** ARM's HTTP status, or 0 when the failure came from an operation's final status rather than a response. */
  public int statusCode() {
    return statusCode;
  }

  /** ARM's error code ("TooManyRequests", "OperationNotAllowed", "Conflict", ...), if it gave one. */
  public Optional<String> errorCode() {
    return Optional.ofNullable(errorCode);
  }

  /** How long ARM asked to wait (its {@code Retry-After}), if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** Whether ARM throttled the request (429): the next evaluation, not a tighter loop, should try again. */
  public boolean throttled() {
    return statusCode == 429;
  }
}
