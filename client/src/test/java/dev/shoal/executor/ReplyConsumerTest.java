package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplyConsumerTest {
  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final InMemoryTransport memory = new InMemoryTransport();
  private final String queue = memory.createQueue("replies", QueueOptions.defaults()).join();
  private final BlockingQueue<ResultEnvelope> sink = new LinkedBlockingQueue<>();
  private final ReplyConsumer consumer = new ReplyConsumer("test", memory, queue, codec, "run-1", null, sink::addAll);

  @AfterEach
  void stop() {
    consumer.close();
    memory.close();
  }

  private ResultEnvelope result(long id, String run) {
    return new ResultEnvelope(WireCodec.VERSION, id, run, 1, ResultEnvelope.Status.OK, codec.json().toTree(id), null,
        "w", null, null, null);
  }

  @Test
  void resultsOfThisRunReachTheSinkAndTheirMessagesAreAcknowledged() throws Exception {
    consumer.start();
    memory.send(queue, List.of(codec.encodeResults(List.of(result(1, "run-1"), result(2, "run-1"))))).join();

    assertThat(sink.poll(10, TimeUnit.SECONDS)).extracting(ResultEnvelope::id).isEqualTo(1L);
    assertThat(sink.poll(10, TimeUnit.SECONDS)).extracting(ResultEnvelope::id).isEqualTo(2L);
    // Acknowledged: nothing comes back after the lease.
    assertThat(memory.receive(queue, 10, Duration.ZERO).join()).isEmpty();
  }

  @Test
  void withAVerifierOnlyResultsSignedWithItsKeyReachTheSinkAndTheOthersAreCounted() throws Exception {
    EnvelopeSigner signer = EnvelopeSigner.fromSecret("the run's signing key", codec);
    EnvelopeSigner forger = EnvelopeSigner.fromSecret("somebody else's key", codec);
    BlockingQueue<ResultEnvelope> verified = new LinkedBlockingQueue<>();
    try (ReplyConsumer checking = new ReplyConsumer("test", memory, queue, codec, "run-1", signer, verified::addAll)) {
      checking.start();
      memory.send(queue, List.of(
          codec.encodeResults(List.of(result(1, "run-1"), forger.sign(result(2, "run-1")))),
          "not json".getBytes(StandardCharsets.UTF_8),
          codec.encodeResults(List.of(signer.sign(result(3, "run-1")))))).join();

      assertThat(verified.poll(10, TimeUnit.SECONDS)).extracting(ResultEnvelope::id).isEqualTo(3L);
      // Read in order, so the others were dropped before it.
      assertThat(verified).isEmpty();
      assertThat(checking.rejected()).isEqualTo(3);
    }
  }

  @Test
  void unreadableMessagesAndResultsOfOtherRunsAreDroppedAndTheRestStillArrives() throws Exception {
    consumer.start();
    memory.send(queue, List.of(
        "not json".getBytes(StandardCharsets.UTF_8),
        codec.encodeResults(List.of(result(5, "run-other"))),
        "{\"v\":1,\"kind\":\"results\",\"results\":[{\"v\":1,\"id\":-3}]}".getBytes(StandardCharsets.UTF_8),
        codec.encodeResults(List.of(result(6, "run-1"))))).join();

    assertThat(sink.poll(10, TimeUnit.SECONDS)).extracting(ResultEnvelope::id).isEqualTo(6L);
    // The dropped ones came before it in the same poll, and were read in order.
    assertThat(sink).isEmpty();
  }
}
