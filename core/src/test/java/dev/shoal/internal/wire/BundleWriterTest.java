package dev.shoal.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.internal.codec.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class BundleWriterTest {
  private final WireCodec codec = new WireCodec(JsonCodec.create());

  private TaskEnvelope task(long id, String padding) {
    return new TaskEnvelope(WireCodec.VERSION, id, "run-1", "app.x",
        codec.json().mapper().createArrayNode().add(padding), 1, "mem://replies", null, null);
  }

  @Test
  void anEnvelopeOfExactlyTheLargestSizeFitsAMessageOfExactlyTheLimit() {
    byte[] probe = codec.envelopeBytes(task(1, ""));
    int limit = probe.length + 200;
    BundleWriter writer = BundleWriter.tasks(limit, 10);
    byte[] envelope = codec.envelopeBytes(task(1, "x".repeat(writer.maxEnvelopeBytes() - probe.length)));
    assertThat(envelope).hasSize(writer.maxEnvelopeBytes());

    List<BundleWriter.Bundle<byte[]>> bundles = writer.pack(List.of(envelope), e -> e);

    assertThat(bundles).hasSize(1);
    assertThat(bundles.get(0).body()).hasSize(limit);
    assertThat(codec.decodeTasks(bundles.get(0).body(), limit).envelopes()).hasSize(1);
  }

  @Test
  void packingKeepsEveryMessageWithinTheLimitAndEveryItemInOrder() {
    int limit = 1_000;
    BundleWriter writer = BundleWriter.tasks(limit, 1_000);
    List<TaskEnvelope> tasks = IntStream.rangeClosed(1, 200).mapToObj(i -> task(i, "p".repeat(i % 37))).toList();

    List<BundleWriter.Bundle<TaskEnvelope>> bundles = writer.pack(tasks, codec::envelopeBytes);

    List<Long> ids = new ArrayList<>();
    for (BundleWriter.Bundle<TaskEnvelope> bundle : bundles) {
      assertThat(bundle.body().length).isLessThanOrEqualTo(limit);
      Decoded<TaskEnvelope> decoded = codec.decodeTasks(bundle.body(), limit);
      assertThat(decoded.rejected()).isEmpty();
      assertThat(decoded.envelopes()).isEqualTo(bundle.items());
      decoded.envelopes().forEach(envelope -> ids.add(envelope.id()));
    }
    assertThat(ids).isEqualTo(LongStream.rangeClosed(1, 200).boxed().toList());
    // Greedy: the first envelope of each message did not fit after the previous message's last.
    int frame = writer.frame(List.of()).length;
    for (int i = 1; i < bundles.size(); i++) {
      int firstOfNext = codec.envelopeBytes(bundles.get(i).items().get(0)).length;
      assertThat(bundles.get(i - 1).body().length + 1 + firstOfNext).isGreaterThan(limit);
      assertThat(frame).isLessThan(limit);
    }
  }

  @Test
  void theEnvelopeCountPerMessageIsCapped() {
    BundleWriter writer = BundleWriter.tasks(1 << 20, 3);
    List<TaskEnvelope> tasks = IntStream.rangeClosed(1, 10).mapToObj(i -> task(i, "")).toList();

    assertThat(writer.pack(tasks, codec::envelopeBytes)).extracting(bundle -> bundle.items().size())
        .containsExactly(3, 3, 3, 1);
  }

  @Test
  void resultsAreFramedAsResultBundles() {
    ResultEnvelope result = new ResultEnvelope(WireCodec.VERSION, 7, "run-1", 1, ResultEnvelope.Status.OK,
        codec.json().toTree(42), null, "w", null, null, null);
    BundleWriter writer = BundleWriter.results(10_000);

    byte[] body = writer.frame(List.of(codec.envelopeBytes(result), codec.envelopeBytes(result)));

    assertThat(codec.decodeResults(body, 10_000).envelopes()).containsExactly(result, result);
    assertThat(new String(body, StandardCharsets.UTF_8)).startsWith("{\"v\":1,\"kind\":\"results\"");
  }

  @Test
  void aLimitWithNoRoomForAnEnvelopeIsRefused() {
    assertThatThrownBy(() -> BundleWriter.tasks(20, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no room");
  }
}
