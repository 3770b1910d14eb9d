package dev.shoal.executor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.shoal.app.AppDefinition;
import dev.shoal.app.EncodingException;
import dev.shoal.command.Command;
import dev.shoal.internal.app.Builtins;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.Invocation;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Turns an invocation into its signed envelope's bytes, on the submitting thread, so that an
 * argument that cannot cross (not JSON, or too large for one message without a payload store)
 * fails its own task at once instead of a whole bundle later. With a payload store, arguments too
 * large for a message are put there and the envelope carries their reference instead.
 */
final class TaskEncoder {
  /**
   * A task ready to be packed: its envelope's bytes, the attempt they describe, and where its
   * arguments were put when they went by claim check (null otherwise).
   */
  record Outgoing(long taskId, int attempt, byte[] bytes, URI argumentObject) {
    Outgoing(long taskId, int attempt, byte[] bytes) {
      this(taskId, attempt, bytes, null);
    }
  }

  private final String runId;
  private final WireCodec wire;
  private final JsonCodec json;
  private final EnvelopeSigner signer;
  private final String replyQueue;
  private final Duration taskTimeout;
  private final int maxEnvelopeBytes;
  private final ClaimChecks claims;

  TaskEncoder(String runId, WireCodec wire, EnvelopeSigner signer, String replyQueue, Duration taskTimeout,
      int maxEnvelopeBytes, ClaimChecks claims) {
    this.runId = runId;
    this.wire = wire;
    this.json = wire.json();
    this.signer = signer;
    this.replyQueue = replyQueue;
    this.taskTimeout = taskTimeout;
    this.maxEnvelopeBytes = maxEnvelopeBytes;
    this.claims = claims;
  }

  /**
   * The task's envelope, ready at once unless its arguments must first be put in the payload
   * store; a put that fails completes the future with the store's error.
   *
   * @throws RuntimeException when the task cannot cross at all (fails before anything is stored)
   */
  CompletableFuture<Outgoing> encode(Invocation invocation) {
    TaskEnvelope envelope = envelope(invocation);
    byte[] bytes = wire.envelopeBytes(envelope);
    // Signing a large envelope costs a second encoding; one over the limit unsigned is not signed.
    if (signer != null && bytes.length <= maxEnvelopeBytes) {
      bytes = wire.envelopeBytes(signer.sign(envelope));
    }
    if (bytes.length <= maxEnvelopeBytes) {
      return CompletableFuture.completedFuture(new Outgoing(invocation.taskId(), invocation.attempt(), bytes));
    }
    String app = invocation.app().name();
    if (!claims.enabled()) {
      throw new PayloadTooLargeException(invocation.taskId(), app, bytes.length, maxEnvelopeBytes);
    }
    byte[] payload = json.encode(envelope.args());
    if (payload.length > claims.maxPayloadBytes()) {
      throw new PayloadTooLargeException(invocation.taskId(), app, payload.length, claims.maxPayloadBytes(),
          "this executor puts in its payload store (QueueExecutor.Builder.maxPayloadBytes)");
    }
    return claims.put(runId, invocation.taskId(), app, payload).thenApply(ref -> {
      byte[] referring = wire.envelopeBytes(signed(envelope.withArgsRef(ref)));
      if (referring.length > maxEnvelopeBytes) {
        // Only the reply address and the reference are left of any size; neither is the user's doing.
        claims.delete(ref.location());
        throw new PayloadTooLargeException(invocation.taskId(), app, referring.length, maxEnvelopeBytes);
      }
      return new Outgoing(invocation.taskId(), invocation.attempt(), referring, ref.location());
    });
  }

  private TaskEnvelope signed(TaskEnvelope envelope) {
    return signer == null ? envelope : signer.sign(envelope);
  }

  private TaskEnvelope envelope(Invocation invocation) {
    AppDefinition app = invocation.app();
    String appName = app.name();
    ArrayNode encoded = json.mapper().createArrayNode();
    if (app.kind() == AppDefinition.Kind.COMMAND) {
      // The command line is built here, so the worker needs none of the user's code.
      encoded.add(json.toTree(command(app, invocation.args())));
      appName = Builtins.COMMAND;
    } else {
      Object[] args = invocation.args();
      for (int i = 0; i < args.length; i++) {
        try {
          encoded.add(json.toTree(args[i]));
        } catch (EncodingException e) {
          throw new EncodingException("argument " + (i + 1) + " of app " + app.name() + " (task " + invocation.taskId()
              + ") cannot be sent to a remote worker: " + e.getMessage(), e);
        }
      }
    }
    Instant deadline = taskTimeout == null ? null : Instant.now().plus(taskTimeout);
    TaskEnvelope envelope = new TaskEnvelope(WireCodec.VERSION, invocation.taskId(), runId, appName, encoded,
        invocation.attempt(), replyQueue, deadline, null);
    // Only a client that can fetch a result by reference asks for one.
    return claims.enabled() ? envelope.withResultByRef(true) : envelope;
  }

  private static Command command(AppDefinition app, Object[] args) {
    Command command;
    try {
      command = (Command) app.invoke(args);
    } catch (Exception e) {
      throw new IllegalArgumentException("command app " + app.name() + " could not build its command: " + e, e);
    }
    if (command.walltime() == null && app.walltime().isPresent()) {
      command = command.withWalltime(app.walltime().get());
    }
    return command;
  }
}
