package dev.shoal.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.app.EncodingException;
import dev.shoal.command.CommandFailedException;
import dev.shoal.command.WalltimeExceededException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shoal's own exceptions across the wire: the fields a worker writes into a {@link RemoteError}
 * besides the message, and the client's exception rebuilt from them. Only these exact classes are
 * rebuilt, each with its own constructor; an error whose fields are missing or malformed (an older
 * worker, a forgery) is not rebuilt.
 */
public final class ExceptionFields {
  static final String COMMAND = "command";
  static final String EXIT_CODE = "exitCode";
  static final String STDERR_TAIL = "stderrTail";
  static final String WALLTIME = "walltime";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ExceptionFields() {}

  /** The fields of one of Shoal's own exceptions; null for any other exception. */
  static Map<String, JsonNode> of(Throwable error) {
    if (error.getClass() == CommandFailedException.class) {
      CommandFailedException failed = (CommandFailedException) error;
      return Map.of(COMMAND, strings(failed.command()), EXIT_CODE, NODES.numberNode(failed.exitCode()),
          STDERR_TAIL, NODES.textNode(failed.stderrTail()));
    }
    if (error.getClass() == WalltimeExceededException.class) {
      WalltimeExceededException killed = (WalltimeExceededException) error;
      return Map.of(COMMAND, strings(killed.command()), WALLTIME, NODES.textNode(killed.walltime().toString()));
    }
    return null;
  }

  /**
   * Rebuilds one of Shoal's own exceptions for the client's task. The app and task are the
   * client's, never the worker's: a worker runs a command app as a built-in and knows neither.
   *
   * @param cause the remote cause as rebuilt by the caller, or null
   * @return empty when the error is no Shoal exception or its fields do not make one
   */
  public static Optional<RuntimeException> rebuild(RemoteError error, String app, long taskId, Throwable cause) {
    String type = error.type();
    Map<String, JsonNode> fields = error.fields() == null ? Map.of() : error.fields();
    if (EncodingException.class.getName().equals(type)) {
      return Optional.of(new EncodingException(error.message(), cause));
    }
    if (CommandFailedException.class.getName().equals(type)) {
      List<String> command = command(fields);
      JsonNode exitCode = fields.get(EXIT_CODE);
      JsonNode stderrTail = fields.get(STDERR_TAIL);
      if (command == null || exitCode == null || !exitCode.canConvertToInt() || !exitCode.isIntegralNumber()
          || stderrTail == null || !stderrTail.isTextual()) {
        return Optional.empty();
      }
      return Optional.of(new CommandFailedException(app, taskId, command, exitCode.intValue(), stderrTail.textValue()));
    }
    if (WalltimeExceededException.class.getName().equals(type)) {
      List<String> command = command(fields);
      Duration walltime = duration(fields.get(WALLTIME));
      if (command == null || walltime == null) {
        return Optional.empty();
      }
      return Optional.of(new WalltimeExceededException(app, taskId, command, walltime));
    }
    return Optional.empty();
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = NODES.arrayNode(values.size());
    values.forEach(array::add);
    return array;
  }

  private static List<String> command(Map<String, JsonNode> fields) {
    JsonNode node = fields.get(COMMAND);
    if (node == null || !node.isArray() || node.isEmpty()) {
      return null;
    }
    List<String> command = new ArrayList<>(node.size());
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        return null;
      }
      command.add(element.textValue());
    }
    return command;
  }

  private static Duration duration(JsonNode node) {
    if (node == null || !node.isTextual()) {
      return null;
    }
    try {
      Duration duration = Duration.parse(node.textValue());
      return duration.isNegative() || duration.isZero() ? null : duration;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
