package dev.shoal.internal.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exception as text: its class name, message, stack frames and cause, and for Shoal's own
 * exceptions the fields they carry. Only text crosses the wire; a client rebuilds a local exception
 * only from an allow-list of classes, never from whatever a message names.
 *
 * @param type the exception's class name
 * @param message its message (may be null)
 * @param stack frames as {@code class.method(file:line)}, outermost last
 * @param cause the cause, if any
 * @param fields the values a Shoal exception carries besides its message, such as a failed
 *     command's exit code (see {@link ExceptionFields}); null for any other exception. Added within
 *     version 1: a reader that does not know it ignores it, and one that finds it missing treats the
 *     error as any other.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoteError(String type, String message, List<String> stack, RemoteError cause,
    Map<String, JsonNode> fields) {
  private static final int MAX_FRAMES = 64;
  private static final int MAX_CAUSES = 8;

  public RemoteError {
    fields = fields == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  public static RemoteError of(Throwable error) {
    return of(error, 0);
  }

  private static RemoteError of(Throwable error, int depth) {
    List<String> frames = new ArrayList<>();
    StackTraceElement[] trace = error.getStackTrace();
    for (int i = 0; i < Math.min(trace.length, MAX_FRAMES); i++) {
      frames.add(trace[i].toString());
    }
    Throwable cause = error.getCause();
    return new RemoteError(error.getClass().getName(), error.getMessage(), frames,
        cause != null && cause != error && depth < MAX_CAUSES ? of(cause, depth + 1) : null,
        ExceptionFields.of(error));
  }

  /** A worker-side error that has no Java exception behind it. */
  public static RemoteError of(String type, String message) {
    return new RemoteError(type, message, List.of(), null, null);
  }
}
