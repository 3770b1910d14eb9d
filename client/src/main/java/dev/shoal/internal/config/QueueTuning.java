package dev.shoal.internal.config;

import dev.shoal.config.ConfigNode;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.wire.PayloadRef;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The queue executor's own settings, the same keys for {@code type: queue} and {@code type:
 * local} (whose cluster passes them to its executor): {@code maxTasksPerMessage},
 * {@code maxSendsInFlight}, {@code taskTimeout}, {@code publishRetryTimeout}, {@code
 * functionTimeLimit}, {@code maxPayloadBytes}.
 */
public final class QueueTuning {
  private QueueTuning() {}

  /** Reads and checks the keys; the result applies them to a builder. */
  public static Consumer<QueueExecutor.Builder> read(ConfigNode node) {
    OptionalInt maxTasksPerMessage = node.integer("maxTasksPerMessage", 1);
    OptionalInt maxSendsInFlight = node.integer("maxSendsInFlight", 1);
    Optional<Duration> taskTimeout = positive(node, "taskTimeout");
    Optional<Duration> publishRetryTimeout = node.duration("publishRetryTimeout");
    Optional<Duration> functionTimeLimit = positive(node, "functionTimeLimit");
    OptionalLong maxPayloadBytes = node.bytes("maxPayloadBytes");
    if (maxPayloadBytes.isPresent() && (maxPayloadBytes.getAsLong() < 1 || maxPayloadBytes.getAsLong() > PayloadRef.MAX_SIZE)) {
      throw node.error("maxPayloadBytes", "must be 1 to " + PayloadRef.MAX_SIZE + " bytes, not "
          + maxPayloadBytes.getAsLong());
    }
    return builder -> {
      maxTasksPerMessage.ifPresent(builder::maxTasksPerMessage);
      maxSendsInFlight.ifPresent(builder::maxSendsInFlight);
      taskTimeout.ifPresent(builder::taskTimeout);
      publishRetryTimeout.ifPresent(builder::publishRetryTimeout);
      functionTimeLimit.ifPresent(builder::functionTimeLimit);
      maxPayloadBytes.ifPresent(builder::maxPayloadBytes);
    };
  }

  /** A duration that must be more than zero. */
  public static Optional<Duration> positive(ConfigNode node, String key) {
    Optional<Duration> value = node.duration(key);
    if (value.isPresent() && value.get().isZero()) {
      throw node.error(key, "must be more than 0");
    }
    return value;
  }
}
