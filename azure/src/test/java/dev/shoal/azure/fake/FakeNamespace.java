package dev.shoal.azure.fake;

import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The fake namespace's queues, by name (Service Bus names are case-insensitive). Confined to the
 * fake's event loop, like everything it holds.
 */
final class FakeNamespace {
  private final Map<String, FakeQueue> queues = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  private final Clock clock;
  private final ScheduledExecutorService loop;

  FakeNamespace(Clock clock, ScheduledExecutorService loop) {
    this.clock = clock;
    this.loop = loop;
  }

  /** Creates a queue; null if one of that name exists. */
  FakeQueue create(String name, FakeQueue.Settings settings) {
    if (queues.containsKey(name)) {
      return null;
    }
    FakeQueue queue = new FakeQueue(name, settings, clock, loop);
    queues.put(name, queue);
    return queue;
  }

  FakeQueue queue(String name) {
    return queues.get(name);
  }

  /** Every queue, in name order (as the service lists them). */
  java.util.List<FakeQueue> queues() {
    return java.util.List.copyOf(queues.values());
  }

  boolean delete(String name) {
    FakeQueue queue = queues.remove(name);
    if (queue == null) {
      return false;
    }
    queue.delete();
    return true;
  }

  /** The store an entity path names: {@code <queue>} or {@code <queue>/$deadletterqueue}; null if none. */
  FakeMessageStore store(String entityPath) {
    if (entityPath == null) {
      return null;
    }
    boolean deadLetters = entityPath.toLowerCase(Locale.ROOT).endsWith(FakeQueue.DEAD_LETTER_SUFFIX);
    String name = deadLetters
        ? entityPath.substring(0, entityPath.length() - FakeQueue.DEAD_LETTER_SUFFIX.length()) : entityPath;
    FakeQueue queue = queues.get(name);
    if (queue == null) {
      return null;
    }
    return deadLetters ? queue.deadLetters() : queue.active();
  }
}
