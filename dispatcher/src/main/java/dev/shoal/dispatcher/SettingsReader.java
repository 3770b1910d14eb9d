package dev.shoal.dispatcher;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a host's settings from named strings (a function's environment variables), collecting
 * every problem instead of stopping at the first, so that one deployment shows them all. A blank
 * value counts as not set. Durations are ISO-8601 ({@code PT5M}); URIs need a scheme.
 *
 * <pre>{@code
 * SettingsReader read = new SettingsReader(System.getenv());
 * String queue = read.required("SHOAL_TASK_QUEUE");
 * PoolSettings pool = PoolSettings.read(read);
 * read.check("dispatcher configuration");   // throws, naming every problem
 * }</pre>
 *
 * <p>Not thread-safe: one reader reads one configuration, on one thread.
 */
public final class SettingsReader {
  private final Map<String, String> values;
  private final List<String> problems = new ArrayList<>();

  public SettingsReader(Map<String, String> values) {
    this.values = Map.copyOf(Objects.requireNonNull(values, "values"));
  }

  /** The trimmed value, or null when it is not set or blank. */
  public String optional(String name) {
    String value = values.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  /** The trimmed value; when it is not set, a problem is noted and "" is returned. */
  public String required(String name) {
    String value = optional(name);
    if (value == null) {
      problems.add(name + " is not set");
      return "";
    }
    return value;
  }

  public int integer(String name, int fallback) {
    String value = optional(name);
    try {
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      problems.add(name + " is not an integer: " + value);
      return fallback;
    }
  }

  public double number(String name, double fallback) {
    String value = optional(name);
    try {
      return value == null ? fallback : Double.parseDouble(value);
    } catch (NumberFormatException e) {
      problems.add(name + " is not a number: " + value);
      return fallback;
    }
  }

  public Duration duration(String name, Duration fallback) {
    String value = optional(name);
    try {
      return value == null ? fallback : Duration.parse(value);
    } catch (DateTimeParseException e) {
      problems.add(name + " is not an ISO-8601 duration such as PT5M: " + value);
      return fallback;
    }
  }

  /** The value as a URI with a scheme ({@code s3://bucket/prefix}); null when not set, or (noted) not such a URI. */
  public URI uri(String name) {
    String value = optional(name);
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (uri.getScheme() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // Noted below.
    }
    problems.add(name + " is not a URI with a scheme such as s3://bucket/prefix: " + value);
    return null;
  }

  /** Notes a problem found while reading (a value that parses but is not allowed, say). */
  public void problem(String problem) {
    problems.add(Objects.requireNonNull(problem, "problem"));
  }

  /**
   * Throws an {@link IllegalArgumentException} naming every problem noted so far, if there is any.
   *
   * @param what what was read, to start the message ("dispatcher configuration")
   */
  public void check(String what) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(what + ": " + String.join("; ", problems));
    }
  }
}
