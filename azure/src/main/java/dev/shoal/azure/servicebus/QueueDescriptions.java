package dev.shoal.azure.servicebus;

import com.azure.messaging.servicebus.administration.models.CreateQueueOptions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * How Shoal's {@link QueueOptions} and labels map onto a Service Bus queue description, within what
 * Service Bus allows: locks of 5 seconds to 5 minutes, auto-delete-on-idle of at least 5 minutes,
 * user metadata of at most 1,024 characters (which holds the labels, as a JSON object).
 */
final class QueueDescriptions {
  static final Duration MIN_LOCK = Duration.ofSeconds(5);
  static final Duration MAX_LOCK = Duration.ofMinutes(5);
  private static final Duration MIN_AUTO_DELETE = Duration.ofMinutes(5);
  private static final int MAX_USER_METADATA = 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private QueueDescriptions() {}

  /**
   * A new queue's description: its lock is the visibility timeout; {@code maxReceiveCount} deliveries
   * (none: unlimited) move a message to its dead-letter queue, which also takes expired messages when
   * dead-lettering was asked for; a queue labelled {@code expiresTag} is deleted once idle until then.
   */
  static CreateQueueOptions create(QueueOptions options, String expiresTag, Instant now) {
    CreateQueueOptions create = new CreateQueueOptions()
        .setLockDuration(lockDuration(options.visibilityTimeout()))
        .setMaxDeliveryCount(options.maxReceiveCount() > 0 ? options.maxReceiveCount() : Integer.MAX_VALUE)
        .setDefaultMessageTimeToLive(options.retention())
        .setDeadLetteringOnMessageExpiration(options.maxReceiveCount() > 0)
        .setUserMetadata(metadata(options.tags()));
    Duration idle = autoDeleteOnIdle(options.tags().get(expiresTag), now);
    if (idle != null) {
      create.setAutoDeleteOnIdle(idle);
    }
    return create;
  }

  static Duration lockDuration(Duration visibility) {
    return visibility.compareTo(MIN_LOCK) < 0 ? MIN_LOCK : visibility.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : visibility;
  }

  /** Idle until {@code expires} (an ISO-8601 instant), at least 5 minutes; null without a readable instant. */
  static Duration autoDeleteOnIdle(String expires, Instant now) {
    if (expires == null) {
      return null;
    }
    Duration left;
    try {
      left = Duration.between(now, Instant.parse(expires));
    } catch (RuntimeException unreadable) {
      return null;
    }
    return left.compareTo(MIN_AUTO_DELETE) < 0 ? MIN_AUTO_DELETE : left;
  }

  /** The labels kept in a queue's user metadata; none if it holds something else. */
  static Map<String, String> labels(String metadata) {
    if (metadata == null || metadata.isBlank()) {
      return Map.of();
    }
    try {
      return Map.copyOf(JSON.readValue(metadata, new TypeReference<Map<String, String>>() {}));
    } catch (IOException notOurs) {
      return Map.of();
    }
  }

  /** Labels as user metadata (null for none); too many to fit fail without retry. */
  static String metadata(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return null;
    }
    String json;
    try {
      json = JSON.writeValueAsString(new TreeMap<>(labels));
    } catch (JsonProcessingException e) {
      throw new TransportException("labels do not encode: " + e.getMessage(), e, false);
    }
    if (json.length() > MAX_USER_METADATA) {
      throw new TransportException("labels take " + json.length() + " characters of JSON, over Service Bus's "
          + MAX_USER_METADATA + " for a queue's user metadata", false);
    }
    return json;
  }
}
