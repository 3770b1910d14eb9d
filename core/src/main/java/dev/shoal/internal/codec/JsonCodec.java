package dev.shoal.internal.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.shoal.app.EncodingException;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one JSON mapping used for everything that crosses a process boundary: task arguments,
 * results, checkpoints and wire envelopes. Polymorphic typing is never enabled, so a message
 * cannot make the reader instantiate a class it did not ask for. Map keys and properties are
 * written in sorted order, so equal values always encode to equal bytes (memoization relies on it).
 */
public final class JsonCodec {
  private final ObjectMapper mapper;

  private JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public static JsonCodec create() {
    // Jackson's default cap of 20 MB on one string would refuse a large payload that came by claim
    // check; every input is bounded before it is parsed (a queue message by the transport's limit,
    // a stored payload by its reference's size and the reader's maximum), so strings need no cap.
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
        .build();
    ObjectMapper mapper = JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
    return new JsonCodec(mapper);
  }

  /** The configured mapper, for wire codecs that need streaming access. Do not reconfigure it. */
  public ObjectMapper mapper() {
    return mapper;
  }

  public JsonNode toTree(Object value) {
    try {
      return mapper.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new EncodingException("cannot encode " + describe(value) + " as JSON: " + rootMessage(e), e);
    }
  }

  public byte[] encode(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new EncodingException("cannot encode " + describe(value) + " as JSON: " + rootMessage(e), e);
    }
  }

  public String encodeToString(Object value) {
    return new String(encode(value), StandardCharsets.UTF_8);
  }

  public JsonNode readTree(byte[] json) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new EncodingException("malformed JSON: " + rootMessage(e), e);
    }
  }

  public <T> T decode(JsonNode json, Type type) {
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    try {
      return mapper.treeToValue(json, javaType);
    } catch (IOException | IllegalArgumentException e) {
      throw new EncodingException("cannot decode JSON as " + type.getTypeName() + ": " + rootMessage(e), e);
    }
  }

  /** A SHA-256 hex digest of the canonical encoding of these parts. */
  public String digest(Object... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(encode(parts));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String describe(Object value) {
    return value == null ? "null" : "a " + value.getClass().getName();
  }

  private static String rootMessage(Throwable e) {
    String message = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
