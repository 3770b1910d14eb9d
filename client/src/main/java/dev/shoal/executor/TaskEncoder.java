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
import java.time.Duration;
import java.time.Instant;

/**
 * Turns an invocation into its signed envelope's bytes, on the submitting thread, so that an
 * argument that cannot cross (not JSON, or too large for one message) fails its own task at once
 * instead of a whole bundle later.
 */
final class TaskEncoder {
  /** A task ready to be packed: its envelope's bytes and the attempt they describe. */
  record Outgoing(long taskId, int attempt, byte[] bytes) {}

  private final String runId;
  private final WireCodec wire;
  private final JsonCodec json;
  private final EnvelopeSigner signer;
  private final String replyQueue;
  private final Duration taskTimeout;
  private final int maxEnvelopeBytes;

  TaskEncoder(String runId, WireCodec wire, EnvelopeSigner signer, String replyQueue, Duration taskTimeout,
      int maxEnvelopeBytes) {
    this.runId = runId;
    this.wire = wire;
    this.json = wire.json();
    this.signer = signer;
    this.replyQueue = replyQueue;
    this.taskTimeout = taskTimeout;
    this.maxEnvelopeBytes = maxEnvelopeBytes;
  }

  Outgoing encode(Invocation invocation) {
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
    if (signer != null) {
      envelope = signer.sign(envelope);
    }
    byte[] bytes = wire.envelopeBytes(envelope);
    if (bytes.length > maxEnvelopeBytes) {
      throw new PayloadTooLargeException(invocation.taskId(), app.name(), bytes.length, maxEnvelopeBytes);
    }
    return new Outgoing(invocation.taskId(), invocation.attempt(), bytes);
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
