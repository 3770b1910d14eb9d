package dev.shoal.aws;

import dev.shoal.spi.BurstSwitch;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;

/**
 * The burst workers of an AWS pool, switched through the event source mapping that feeds the
 * burst worker function from the task queue: enabling the mapping makes Lambda poll the queue and
 * invoke the function (up to the mapping's maximum concurrency); disabling it stops new invocations,
 * and those running finish their batches.
 *
 * <p>The mapping's state goes through {@code Enabling}, {@code Disabling} or {@code Updating} for a
 * while after a change; those read as {@link State#TURNING}, which the scaling step leaves alone.
 * {@code Creating} and {@code Deleting} too. It needs {@code lambda:GetEventSourceMapping} and
 * {@code lambda:UpdateEventSourceMapping} on the mapping alone (template.yaml grants exactly that).
 */
public final class EventSourceMappingSwitch implements BurstSwitch {
  private final LambdaClient lambda;
  private final boolean ownsClient;
  private final String uuid;

  private EventSourceMappingSwitch(LambdaClient lambda, boolean ownsClient, String uuid) {
    this.lambda = Objects.requireNonNull(lambda, "lambda");
    this.ownsClient = ownsClient;
    this.uuid = requireUuid(uuid);
  }

  /** A switch of the mapping with this UUID, on a client of its own built from the settings (see {@link SqsClients}). */
  public static EventSourceMappingSwitch create(String uuid, Map<String, String> settings) {
    return new EventSourceMappingSwitch(AwsClients.configure(LambdaClient.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()), settings).build(), true, uuid);
  }

  /** A switch on the caller's client, which it does not close. */
  public static EventSourceMappingSwitch on(LambdaClient lambda, String uuid) {
    return new EventSourceMappingSwitch(lambda, false, uuid);
  }

  /** The mapping's UUID. */
  public String mapping() {
    return uuid;
  }

  @Override
  public State state() {
    GetEventSourceMappingResponse mapping = lambda.getEventSourceMapping(r -> r.uuid(uuid));
    String state = mapping.state();
    if ("Enabled".equals(state)) {
      return State.ON;
    }
    if ("Disabled".equals(state)) {
      return State.OFF;
    }
    return State.TURNING;
  }

  @Override
  public void turn(boolean on) {
    // Lambda answers a missing mapping with ResourceNotFoundException; an answer that names no
    // mapping (as moto gives) changed nothing either, and must not pass for a turn.
    String changed = lambda.updateEventSourceMapping(r -> r.uuid(uuid).enabled(on)).uuid();
    if (!uuid.equals(changed)) {
      throw new IllegalStateException("event source mapping " + uuid + " was not updated (the answer named "
          + (changed == null ? "no mapping" : changed) + ")");
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      lambda.close();
    }
  }

  @Override
  public String toString() {
    return "EventSourceMappingSwitch[" + uuid + "]";
  }

  private static String requireUuid(String uuid) {
    Objects.requireNonNull(uuid, "uuid");
    try {
      java.util.UUID.fromString(uuid);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an event source mapping is named by its UUID, not: " + uuid, e);
    }
    return uuid;
  }
}
