package dev.shoal.azure.servicebus;

import dev.shoal.spi.TransportException;
import java.net.URI;
import java.util.Locale;

/**
 * A queue's address on Service Bus, {@code sb://<namespace>/<queue>}, or its dead-letter
 * sub-queue's, {@code sb://<namespace>/<queue>/$deadletterqueue}: the namespace the SDK's
 * connection names, and the entity path its clients take.
 */
record QueueAddress(String namespace, String queue, boolean deadLetters) {
  static final String SCHEME = "sb://";
  static final String DEAD_LETTER_SUFFIX = "/$deadletterqueue";

  static boolean isAddress(String nameOrAddress) {
    return nameOrAddress.startsWith(SCHEME);
  }

  static QueueAddress parse(String address) {
    if (!isAddress(address)) {
      throw new TransportException("not a Service Bus queue address: " + address, false);
    }
    URI uri = URI.create(address);
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+", "");
    boolean deadLetters = path.toLowerCase(Locale.ROOT).endsWith(DEAD_LETTER_SUFFIX);
    String queue = deadLetters ? path.substring(0, path.length() - DEAD_LETTER_SUFFIX.length()) : path;
    if (uri.getHost() == null || queue.isEmpty()) {
      throw new TransportException("not a Service Bus queue address: " + address, false);
    }
    return new QueueAddress(uri.getHost(), queue, deadLetters);
  }

  /** The path the SDK's clients take for this queue (its dead-letter queue is chosen as a sub-queue). */
  String entityPath() {
    return deadLetters ? queue + DEAD_LETTER_SUFFIX : queue;
  }

  @Override
  public String toString() {
    return SCHEME + namespace + "/" + entityPath();
  }
}
