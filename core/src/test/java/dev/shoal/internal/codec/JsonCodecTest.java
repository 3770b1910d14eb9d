package dev.shoal.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.app.EncodingException;
import dev.shoal.app.TypeRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  private final JsonCodec codec = JsonCodec.create();

  record Point(long x, long y) {}

  record Shape(String name, List<Point> points, Map<String, Double> tags, Duration drawTime, Instant drawnAt,
      Optional<String> note) {}

  private <T> T roundTrip(Object value, java.lang.reflect.Type type) {
    return codec.decode(codec.readTree(codec.encode(value)), type);
  }

  @Test
  void aStringLargerThanJacksonsDefaultCapReadsBack() {
    // 25 MB: over the 20 MB Jackson refuses by default, as a claim-checked payload can be.
    String large = "x".repeat(25 * 1024 * 1024);
    JsonNode read = codec.readTree(codec.encode(java.util.List.of(large)));
    assertThat(read.get(0).asText()).hasSize(large.length());
  }

  @Test
  void recordsRoundTrip() {
    Shape shape = new Shape("triangle", List.of(new Point(0, 0), new Point(3, 0), new Point(0, 4)),
        Map.of("area", 6.0), Duration.ofMillis(1500), Instant.parse("2024-05-01T12:00:00Z"), Optional.of("right"));
    Shape decoded = roundTrip(shape, Shape.class);
    assertThat(decoded).isEqualTo(shape);
  }

  @Test
  void timesAreWrittenAsText() {
    String json = codec.encodeToString(Map.of("d", Duration.ofSeconds(90), "t", Instant.parse("2024-05-01T12:00:00Z")));
    assertThat(json).isEqualTo("{\"d\":\"PT1M30S\",\"t\":\"2024-05-01T12:00:00Z\"}");
  }

  @Test
  void genericTypesDecodeToTheirDeclaredElementTypes() {
    List<Long> decoded = roundTrip(List.of(1L, 2L, 3L), TypeRef.listOf(Long.class).type());
    assertThat(decoded).containsExactly(1L, 2L, 3L);
    assertThat(decoded.get(0)).isInstanceOf(Long.class);

    Map<String, Point> points = roundTrip(Map.of("a", new Point(1, 2)), TypeRef.mapOf(Point.class).type());
    assertThat(points).containsEntry("a", new Point(1, 2));
  }

  @Test
  void mapsAreEncodedInKeyOrderSoEqualMapsHaveEqualDigests() {
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("a", 1);
    ab.put("b", Map.of("y", 2, "x", 1));
    Map<String, Object> ba = new LinkedHashMap<>();
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("x", 1);
    inner.put("y", 2);
    ba.put("b", inner);
    ba.put("a", 1);

    assertThat(codec.encodeToString(ab)).isEqualTo(codec.encodeToString(ba)).isEqualTo("{\"a\":1,\"b\":{\"x\":1,\"y\":2}}");
    assertThat(codec.digest("app", "1", ab)).isEqualTo(codec.digest("app", "1", ba));
  }

  @Test
  void recordPropertiesAreSorted() {
    record Unsorted(int zeta, int alpha) {}
    assertThat(codec.encodeToString(new Unsorted(1, 2))).isEqualTo("{\"alpha\":2,\"zeta\":1}");
  }

  @Test
  void digestsAreSha256HexAndDependOnEveryPart() {
    String digest = codec.digest("app", "1", List.of(1L, 2L));
    assertThat(digest).hasSize(64).matches("[0-9a-f]{64}");
    assertThat(codec.digest("app", "1", List.of(1L, 2L))).isEqualTo(digest);
    assertThat(codec.digest("app", "2", List.of(1L, 2L))).isNotEqualTo(digest);
    assertThat(codec.digest("other", "1", List.of(1L, 2L))).isNotEqualTo(digest);
    assertThat(codec.digest("app", "1", List.of(2L, 1L))).isNotEqualTo(digest);
  }

  @Test
  void decodingTheWrongShapeIsAnEncodingExceptionNamingTheType() {
    JsonNode text = codec.readTree("\"not a number\"".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.decode(text, Long.class))
        .isInstanceOf(EncodingException.class)
        .hasMessageStartingWith("cannot decode JSON as java.lang.Long: ")
        .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class);

    JsonNode missing = codec.readTree("{\"x\":1}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.decode(missing, Point.class))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining(Point.class.getName());
  }

  @Test
  void malformedJsonIsAnEncodingException() {
    assertThatThrownBy(() -> codec.readTree("{\"a\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(EncodingException.class)
        .hasMessageStartingWith("malformed JSON: ");
    assertThatThrownBy(() -> codec.readTree("1 2".getBytes(StandardCharsets.UTF_8)))
        .as("trailing tokens")
        .isInstanceOf(EncodingException.class);
  }

  /** Its one property cannot be read. */
  public static final class Unreadable {
    public String getValue() {
      throw new IllegalStateException("no value");
    }
  }

  @Test
  void valuesThatCannotBeEncodedAreAnEncodingException() {
    assertThatThrownBy(() -> codec.encode(new Unreadable()))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining("cannot encode a " + Unreadable.class.getName());
    assertThatThrownBy(() -> codec.toTree(new Unreadable()))
        .isInstanceOf(EncodingException.class)
        .hasMessageContaining(Unreadable.class.getName());
  }

  @Test
  void nullForAPrimitiveIsRefused() {
    JsonNode json = codec.readTree("{\"x\":null,\"y\":1}".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> codec.decode(json, Point.class)).isInstanceOf(EncodingException.class);
  }

  @Test
  void polymorphicTypeInformationIsNotHonoured() {
    // A class name in the JSON cannot make the reader build an object it did not ask for.
    JsonNode json = codec.readTree("[\"java.util.ArrayList\",[1]]".getBytes(StandardCharsets.UTF_8));
    Object decoded = codec.decode(json, Object.class);
    assertThat(decoded).isEqualTo(List.of("java.util.ArrayList", List.of(1)));
  }
}
