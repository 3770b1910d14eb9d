package dev.shoal.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to create a queue.
 *
 * @param visibilityTimeout how long a received message stays leased before it is delivered again
 * @param maxReceiveCount deliveries after which the service moves a message to the dead-letter
 *     queue {@code <name>-dlq}; 0 for no dead-letter queue
 * @param retention how long an unreceived message is kept
 * @param tags labels on the queue (run id, expiry, pool), so that orphans can be found and swept
 */
public record QueueOptions(Duration visibilityTimeout, int maxReceiveCount, Duration retention,
    Map<String, String> tags) {

  public QueueOptions {
    Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
    Objects.requireNonNull(retention, "retention");
    if (maxReceiveCount < 0) {
      throw new IllegalArgumentException("maxReceiveCount must be >= 0: " + maxReceiveCount);
    }
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public static QueueOptions defaults() {
    return new QueueOptions(Duration.ofSeconds(30), 0, Duration.ofDays(4), Map.of());
  }

  public QueueOptions withVisibilityTimeout(Duration timeout) {
    return new QueueOptions(timeout, maxReceiveCount, retention, tags);
  }

  public QueueOptions withMaxReceiveCount(int count) {
    return new QueueOptions(visibilityTimeout, count, retention, tags);
  }

  public QueueOptions withRetention(Duration retention) {
    return new QueueOptions(visibilityTimeout, maxReceiveCount, retention, tags);
  }

  public QueueOptions withTags(Map<String, String> tags) {
    return new QueueOptions(visibilityTimeout, maxReceiveCount, retention, tags);
  }

  /** The name of the dead-letter queue that goes with a queue. */
  public static String deadLetterName(String queueName) {
    return queueName + "-dlq";
  }
}
