package dev.shoal.azure.dispatcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a client's nudge says: how many tasks it just published in how many queue messages, as
 * {@code dev.shoal.azure.FunctionNudger} posts it: {@code {"source":"shoal.nudge","tasks":90,"messages":3}}.
 * Both counts are optional (0: not said); other fields are ignored, so a newer client may add some.
 * An empty body is a bare nudge.
 */
record Nudge(long tasks, long messages) {
  /** Far above any nudge; a bigger body is no nudge of ours. */
  static final int MAX_BODY_CHARS = 4096;
  static final Nudge BARE = new Nudge(0, 0);

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * Reads a nudge's body.
   *
   * @throws IllegalArgumentException saying what is wrong with it (never quoting it)
   */
  static Nudge parse(String body) {
    if (body == null || body.isBlank()) {
      return BARE;
    }
    if (body.length() > MAX_BODY_CHARS) {
      throw new IllegalArgumentException("a nudge is at most " + MAX_BODY_CHARS + " characters");
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a nudge is a JSON object; this is not JSON");
    }
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("a nudge is a JSON object");
    }
    return new Nudge(count(json, "tasks"), count(json, "messages"));
  }

  private static long count(JsonNode nudge, String field) {
    JsonNode value = nudge.get(field);
    if (value == null || value.isNull()) {
      return 0;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
      throw new IllegalArgumentException("\"" + field + "\" must be a whole number >= 0");
    }
    return value.asLong();
  }
}
