package dev.shoal.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.codec.JsonCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Signatures as a reader sees them: after the envelope crossed the wire, inside a bundle. */
class EnvelopeSignerTest {
  private static final int LIMIT = 1 << 20;

  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final EnvelopeSigner signer = EnvelopeSigner.fromSecret("the shared key of this test", codec);
  private final EnvelopeSigner otherKey = EnvelopeSigner.fromSecret("a key that nobody shares", codec);

  private TaskEnvelope task(long id, Object... args) {
    JsonNode array = codec.json().toTree(Arrays.asList(args));
    return new TaskEnvelope(WireCodec.VERSION, id, "run-1", "app.x", array, 1, "mem://replies", null, null);
  }

  private ResultEnvelope result(long id, Object value) {
    Instant now = Instant.parse("2024-05-06T07:08:09.123456789Z");
    return new ResultEnvelope(WireCodec.VERSION, id, "run-1", 1, ResultEnvelope.Status.OK,
        codec.json().toTree(value), null, "w1", now, now, now);
  }

  private ResultEnvelope failure(long id) {
    return new ResultEnvelope(WireCodec.VERSION, id, "run-1", 2, ResultEnvelope.Status.APP_ERROR, null,
        RemoteError.of(new IllegalStateException((String) null, new RuntimeException("cause"))), "w1",
        Instant.now(), null, Instant.now());
  }

  private Decoded<TaskEnvelope> readTasks(TaskEnvelope... envelopes) {
    return codec.decodeTasks(codec.encodeTasks(List.of(envelopes)), LIMIT, signer);
  }

  private Decoded<ResultEnvelope> readResults(ResultEnvelope... envelopes) {
    return codec.decodeResults(codec.encodeResults(List.of(envelopes)), LIMIT, signer);
  }

  @Test
  void signedTasksAndResultsVerifyOnTheFarSide() {
    assertThat(readTasks(signer.sign(task(1, 5, "text", List.of(1, 2)))).envelopes()).hasSize(1);
    assertThat(readResults(signer.sign(result(1, Map.of("k", List.of(1, 2)))), signer.sign(failure(2))).envelopes())
        .extracting(ResultEnvelope::id).containsExactly(1L, 2L);
  }

  @Test
  void valuesThatAReaderHoldsDifferentlyStillVerify() {
    // A reader gets 1.1 for 1.10 and a double for a float: the MAC must be over what it gets.
    Object[] values = {new BigDecimal("1.10"), new BigDecimal("1E+3"), 0.1f, 2e23f, 1.0e10,
        new BigInteger("123456789012345678901234567890"), null, Long.MAX_VALUE, Double.NaN, -0.0, "é\u2028\"\\"};
    assertThat(readTasks(signer.sign(task(1, values))).rejected()).isEmpty();
    for (Object value : values) {
      assertThat(readResults(signer.sign(result(1, value))).rejected()).as("result %s", value).isEmpty();
    }
  }

  @Test
  void unsignedForgedAndAlteredTasksAreRejectedWithTheirReason() {
    TaskEnvelope signed = signer.sign(task(3, 7));
    TaskEnvelope altered = new TaskEnvelope(signed.v(), signed.id(), signed.run(), signed.app(),
        codec.json().toTree(List.of(8)), signed.attempt(), signed.reply(), signed.deadline(), signed.sig());

    Decoded<TaskEnvelope> decoded = readTasks(task(1, 7), otherKey.sign(task(2, 7)), altered, signer.sign(task(4, 7)));

    assertThat(decoded.envelopes()).extracting(TaskEnvelope::id).containsExactly(4L);
    assertThat(decoded.rejected()).extracting(Decoded.Rejected::index).containsExactly(0, 1, 2);
    assertThat(decoded.rejected().get(0).reason()).isEqualTo("task 1 is not signed, and only signed tasks are accepted");
    assertThat(decoded.rejected().get(1).reason()).startsWith("task 2 has a signature that does not match its contents");
    assertThat(decoded.rejected().get(2).reason()).startsWith("task 3 has a signature that does not match its contents");
    // What a worker needs to dead-letter it is still read, though it must not answer there.
    assertThat(decoded.rejected().get(0).reply()).isEqualTo("mem://replies");
  }

  @Test
  void unsignedForgedAndAlteredResultsAreRejectedWithTheirReason() {
    ResultEnvelope signed = signer.sign(result(3, 9));
    ResultEnvelope altered = new ResultEnvelope(signed.v(), signed.id(), signed.run(), signed.attempt(), signed.status(),
        codec.json().toTree(10), null, signed.worker(), signed.received(), signed.started(), signed.finished(),
        signed.sig());

    Decoded<ResultEnvelope> decoded = readResults(result(1, 9), otherKey.sign(result(2, 9)), altered);

    assertThat(decoded.envelopes()).isEmpty();
    assertThat(decoded.rejected()).extracting(Decoded.Rejected::reason).satisfiesExactly(
        reason -> assertThat(reason).startsWith("the result of task 1 is not signed"),
        reason -> assertThat(reason).startsWith("the result of task 2 has a signature that does not match"),
        reason -> assertThat(reason).startsWith("the result of task 3 has a signature that does not match"));
  }

  @Test
  void aTasksSignatureDoesNotSignAResult() {
    TaskEnvelope signedTask = signer.sign(task(1, 5));
    ResultEnvelope withTaskSig = result(1, 25).withSig(signedTask.sig());

    assertThat(readResults(withTaskSig).rejected()).hasSize(1);
  }

  @Test
  void withoutAVerifierSignaturesAreNotChecked() {
    byte[] body = codec.encodeResults(List.of(result(1, 9), otherKey.sign(result(2, 9))));

    assertThat(codec.decodeResults(body, LIMIT).envelopes()).hasSize(2);
  }

  @Test
  void aSignedResultCarriesItsSignatureAcrossTheWire() {
    ResultEnvelope signed = signer.sign(result(1, 9));

    assertThat(signed.sig()).isNotBlank();
    assertThat(readResults(signed).envelopes()).singleElement().isEqualTo(signed);
  }

  @Test
  void aKeyShorterThan16BytesIsRefused() {
    assertThatThrownBy(() -> EnvelopeSigner.fromSecret("short", codec))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 16 bytes");
  }
}
