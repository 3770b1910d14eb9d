package dev.shoal.worker;

import dev.shoal.internal.wire.BundleWriter;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.PayloadRef;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.PayloadStore;
import java.net.URI;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a result into the bytes posted to its reply queue: signed when the worker has a key, and
 * its value moved to the payload store (or replaced by a worker error) when it is too large for a
 * message. Shared by the polling {@link Worker} and the push-delivered {@link BatchRunner}, so that
 * both answer alike.
 */
final class ResultEncoder {
  private static final Logger log = LoggerFactory.getLogger(ResultEncoder.class);

  private final String workerId;
  private final WireCodec codec;
  /** Signs every result; null when the worker runs unsigned tasks. */
  private final EnvelopeSigner signer;
  private final int maxMessageBytes;
  private final int maxResultBytes;
  private final TaskRunner runner;
  private final PayloadStores payloads;

  ResultEncoder(String workerId, WireCodec codec, EnvelopeSigner signer, int maxMessageBytes, TaskRunner runner,
      PayloadStores payloads) {
    this.workerId = workerId;
    this.codec = codec;
    this.signer = signer;
    this.maxMessageBytes = maxMessageBytes;
    this.maxResultBytes = BundleWriter.results(maxMessageBytes).maxEnvelopeBytes();
    this.runner = runner;
    this.payloads = payloads;
  }

  /** @param byRef whether the task's client takes a result too large for a message by reference */
  byte[] encode(ResultEnvelope result, boolean byRef) {
    byte[] bytes = codec.envelopeBytes(signed(result));
    if (bytes.length > maxResultBytes) {
      bytes = codec.envelopeBytes(signed(claimCheck(result, bytes.length, byRef)));
    }
    return bytes;
  }

  /**
   * A result too large for the reply queue: its value put in the payload store and referred to,
   * when the client takes that and the worker has a store; otherwise (or when the put fails) a
   * worker error saying so. On the task's slot: storing the result is part of its work.
   */
  private ResultEnvelope claimCheck(ResultEnvelope result, int bytes, boolean byRef) {
    // The user thinks in message limits; the frame around the envelope is ours.
    int limit = maxMessageBytes;
    PayloadStore store = payloads.forResults();
    if (result.status() != ResultEnvelope.Status.OK || !byRef || store == null) {
      return runner.tooLarge(result, bytes, limit, result.status() != ResultEnvelope.Status.OK ? ""
          : store == null ? "; give the worker a payload store (--payload-store) to carry it"
          : "; its client takes no result by reference (it has no payload store)");
    }
    byte[] value = codec.json().encode(result.value());
    try {
      URI location = store.put(result.run(), value).join();
      return result.withValueRef(PayloadRef.of(location, value));
    } catch (RuntimeException e) {
      Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      log.warn("worker {}: the result of task {} ({} bytes) could not be put in the payload store: {}", workerId,
          result.id(), value.length, cause.toString());
      return runner.tooLarge(result, bytes, limit, "; and it could not be put in the " + store.scheme()
          + ": payload store: " + cause.getMessage());
    }
  }

  private ResultEnvelope signed(ResultEnvelope result) {
    return signer == null ? result : signer.sign(result);
  }
}
