package dev.shoal.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.internal.codec.JsonCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Claim-check references on the wire: validated, read back as sent, and covered by signatures. */
class PayloadRefWireTest {
  private static final int LIMIT = 1 << 20;
  private static final byte[] PAYLOAD = "[\"a large argument\"]".getBytes(StandardCharsets.UTF_8);
  private static final PayloadRef REF = PayloadRef.of(URI.create("s3://bucket/run-1/abc"), PAYLOAD);

  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final EnvelopeSigner signer = EnvelopeSigner.fromSecret("the shared key of this test", codec);

  private TaskEnvelope task() {
    return new TaskEnvelope(WireCodec.VERSION, 1, "run-1", "app.x", codec.json().toTree(List.of("small")), 1,
        "mem://replies", null, null);
  }

  private ResultEnvelope result() {
    Instant now = Instant.now();
    return new ResultEnvelope(WireCodec.VERSION, 1, "run-1", 1, ResultEnvelope.Status.OK, codec.json().toTree("v"),
        null, "w1", now, now, now);
  }

  @Test
  void aReferenceNamesItsBytesBySizeAndDigest() {
    assertThat(REF.size()).isEqualTo(PAYLOAD.length);
    assertThat(REF.sha256()).hasSize(64).matches("[0-9a-f]+");
    assertThat(REF.mismatch(PAYLOAD)).isNull();
    byte[] altered = PAYLOAD.clone();
    altered[3] ^= 1;
    assertThat(REF.mismatch(altered)).contains("SHA-256");
    assertThat(REF.mismatch(new byte[3])).contains("holds 3 bytes");
  }

  @Test
  void aTaskByReferenceReadsBackAsSentAndWithoutArgs() {
    TaskEnvelope sent = task().withArgsRef(REF).withResultByRef(true);
    String json = new String(codec.envelopeBytes(sent), StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("\"args\":").contains("\"argsRef\":{").contains("\"resultByRef\":true")
        .startsWith("{\"app\":");

    Decoded<TaskEnvelope> read = codec.decodeTasks(codec.encodeTasks(List.of(sent)), LIMIT);
    assertThat(read.rejected()).isEmpty();
    assertThat(read.envelopes()).containsExactly(sent);
  }

  @Test
  void anOldTaskReadsAsBeforeWithNoReferenceAndNoResultByReference() {
    byte[] body = ("{\"v\":1,\"kind\":\"tasks\",\"tasks\":[{\"app\":\"app.x\",\"args\":[1],\"attempt\":1,\"id\":1,"
        + "\"reply\":\"r\",\"run\":\"run-1\",\"v\":1}]}").getBytes(StandardCharsets.UTF_8);
    TaskEnvelope read = codec.decodeTasks(body, LIMIT).envelopes().get(0);
    assertThat(read.argsRef()).isNull();
    assertThat(read.takesResultByRef()).isFalse();
    assertThat(read.args().get(0).asInt()).isEqualTo(1);
  }

  @Test
  void anEnvelopeWithBothArgsAndAReferenceOrABadReferenceIsRejected() {
    TaskEnvelope both = new TaskEnvelope(WireCodec.VERSION, 1, "run-1", "app.x", codec.json().toTree(List.of(1)), REF,
        1, "r", null, null, null);
    TaskEnvelope noScheme = task().withArgsRef(new PayloadRef("bucket/key", 3, REF.sha256()));
    TaskEnvelope badDigest = task().withArgsRef(new PayloadRef(REF.uri(), 3, "xyz"));
    TaskEnvelope negative = task().withArgsRef(new PayloadRef(REF.uri(), -1, REF.sha256()));

    Decoded<TaskEnvelope> read = codec.decodeTasks(codec.encodeTasks(List.of(both, noScheme, badDigest, negative)),
        LIMIT);

    assertThat(read.envelopes()).isEmpty();
    assertThat(read.rejected()).extracting(Decoded.Rejected::reason).containsExactly(
        "envelope has both args and argsRef",
        "envelope's argsRef has a uri without a scheme",
        "envelope's argsRef has no valid sha256 (64 lower-case hex digits)",
        "envelope's argsRef has a size out of range: -1");
  }

  @Test
  void aResultByReferenceMustBeASuccessWithoutAValue() {
    ResultEnvelope byRef = result().withValueRef(REF);
    ResultEnvelope both = new ResultEnvelope(WireCodec.VERSION, 1, "run-1", 1, ResultEnvelope.Status.OK,
        codec.json().toTree("v"), REF, null, "w1", null, null, null, null);

    Decoded<ResultEnvelope> read = codec.decodeResults(codec.encodeResults(List.of(byRef, both)), LIMIT);

    assertThat(read.envelopes()).containsExactly(byRef);
    assertThat(read.rejected()).extracting(Decoded.Rejected::reason)
        .containsExactly("result has both a value and a valueRef");
    assertThat(new String(codec.envelopeBytes(byRef), StandardCharsets.UTF_8)).startsWith("{\"attempt\":");
  }

  @Test
  void theSignatureCoversTheReferenceSoAForgedOneFailsVerification() {
    TaskEnvelope signed = signer.sign(task().withArgsRef(REF));
    ResultEnvelope signedResult = signer.sign(result().withValueRef(REF));
    PayloadRef otherDigest = new PayloadRef(REF.uri(), REF.size(), "0".repeat(64));
    PayloadRef otherPlace = new PayloadRef("s3://attacker/x", REF.size(), REF.sha256());

    Decoded<TaskEnvelope> tasks = codec.decodeTasks(codec.encodeTasks(List.of(signed,
        signed.withArgsRef(otherDigest).withSig(signed.sig()), signed.withArgsRef(otherPlace).withSig(signed.sig()))),
        LIMIT, signer);
    Decoded<ResultEnvelope> results = codec.decodeResults(codec.encodeResults(List.of(signedResult,
        signedResult.withValueRef(otherDigest))), LIMIT, signer);

    assertThat(tasks.envelopes()).containsExactly(signed);
    assertThat(tasks.rejected()).hasSize(2).allSatisfy(bad -> assertThat(bad.reason()).contains("does not match"));
    assertThat(results.envelopes()).containsExactly(signedResult);
    assertThat(results.rejected()).singleElement().satisfies(bad -> assertThat(bad.reason()).contains("does not match"));
  }
}
