package dev.shoal.dashboard;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.shoal.taskdb.TaskState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * How the dashboard's values become JSON, for the API and for the report's embedded data. Times are
 * whole microseconds since the epoch and durations whole microseconds, as in the task database, so
 * that a number on the page can be checked against a column; states are the {@code state} column's
 * words ({@code done}, {@code dep_failed}).
 */
final class JsonMapping {
  private final ObjectMapper mapper;

  JsonMapping() {
    SimpleModule module = new SimpleModule("shoal-dashboard");
    module.addSerializer(Instant.class, new StdSerializer<>(Instant.class) {
      @Override
      public void serialize(Instant value, JsonGenerator json, SerializerProvider provider) throws IOException {
        json.writeNumber(micros(value));
      }
    });
    module.addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
      @Override
      public void serialize(Duration value, JsonGenerator json, SerializerProvider provider) throws IOException {
        json.writeNumber(value.toNanos() / 1_000);
      }
    });
    module.addSerializer(TaskState.class, new StdSerializer<>(TaskState.class) {
      @Override
      public void serialize(TaskState value, JsonGenerator json, SerializerProvider provider) throws IOException {
        json.writeString(value.column());
      }
    });
    this.mapper = new ObjectMapper().registerModule(module).disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
  }

  byte[] bytes(Object value) {
    return string(value).getBytes(StandardCharsets.UTF_8);
  }

  String string(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * JSON to put inside a {@code <script type="application/json">} element. The HTML parser ends
   * such an element at the first {@code </script} whatever JSON thinks, and {@code <!--} changes
   * how it parses the rest, so {@code <}, {@code >} and {@code &} are written as {@code \u003c}
   * escapes: they can only occur inside JSON strings, where the escape means the same character.
   */
  String forScriptElement(Object value) {
    String json = string(value);
    StringBuilder out = new StringBuilder(json.length() + 64);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> out.append("\\u003c");
        case '>' -> out.append("\\u003e");
        case '&' -> out.append("\\u0026");
        case '\u2028' -> out.append("\\u2028");
        case '\u2029' -> out.append("\\u2029");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
