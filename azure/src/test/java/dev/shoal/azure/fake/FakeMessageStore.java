package dev.shoal.azure.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The messages of one queue or dead-letter sub-queue under peek-lock: those available in sequence
 * order, those locked (by lock token, each with a timer that gives it back when its lock runs out),
 * and the receive links it hands messages to as their credit allows, in turn. Confined to the fake's
 * event loop: every method runs on that one thread.
 */
final class FakeMessageStore {

  /** A receive link as the store sees it. */
  interface Consumer {
    int credit();

    /** Sends {@code message}, which the store has just locked. */
    void deliver(FakeMessage message, UUID lockToken, Instant lockedUntil);

    /** The entity went away: the link must be closed with an error. */
    void entityGone(String description);
  }

  /** Where a message goes when it must leave the store for its dead-letter queue. */
  interface DeadLetterSink {
    void deadLetter(FakeMessage message, String reason, String description);
  }

  /** What became of a settlement request. */
  enum Settled { DONE, LOCK_LOST, NOT_ALLOWED }

  private record Lock(FakeMessage message, Instant until, ScheduledFuture<?> expiry) {}

  private final String path;
  private final FakeQueue queue;
  private final DeadLetterSink deadLetterSink;
  private final Clock clock;
  private final ScheduledExecutorService loop;
  private final TreeMap<Long, FakeMessage> available = new TreeMap<>();
  private final Map<UUID, Lock> locks = new HashMap<>();
  private final List<Consumer> consumers = new ArrayList<>();
  private int nextConsumer;

  /** @param deadLetterSink where dead-lettered messages go; null for a dead-letter queue itself */
  FakeMessageStore(String path, FakeQueue queue, DeadLetterSink deadLetterSink, Clock clock,
      ScheduledExecutorService loop) {
    this.path = path;
    this.queue = queue;
    this.deadLetterSink = deadLetterSink;
    this.clock = clock;
    this.loop = loop;
  }

  void add(FakeMessage message) {
    available.put(message.sequenceNumber(), message);
    pump();
  }

  void attach(Consumer consumer) {
    consumers.add(consumer);
    pump();
  }

  void detach(Consumer consumer) {
    consumers.remove(consumer);
  }

  /**
   * Hands available messages to consumers with credit, one message per consumer in turn, each
   * locked for the queue's lock duration from now.
   */
  void pump() {
    while (!available.isEmpty() && !consumers.isEmpty()) {
      Consumer consumer = nextWithCredit();
      if (consumer == null) {
        return;
      }
      FakeMessage message = available.pollFirstEntry().getValue();
      if (expired(message)) {
        continue;
      }
      FakeMessage delivered = message.delivered();
      UUID token = UUID.randomUUID();
      Instant until = clock.instant().plus(queue.settings().lockDuration());
      locks.put(token, new Lock(delivered, until, scheduleExpiry(token, until)));
      consumer.deliver(delivered, token, until);
    }
  }

  private Consumer nextWithCredit() {
    for (int i = 0; i < consumers.size(); i++) {
      Consumer candidate = consumers.get((nextConsumer + i) % consumers.size());
      if (candidate.credit() > 0) {
        nextConsumer = (nextConsumer + i + 1) % consumers.size();
        return candidate;
      }
    }
    return null;
  }

  /**
   * A message past its time to live leaves: to the dead-letter queue if the queue says so. Messages
   * in a dead-letter queue never expire.
   */
  private boolean expired(FakeMessage message) {
    if (deadLetterSink == null) {
      return false;
    }
    Duration ttl = queue.settings().defaultMessageTimeToLive();
    if (message.enqueuedAt().plus(ttl).isAfter(clock.instant())) {
      return false;
    }
    if (queue.settings().deadLetteringOnMessageExpiration()) {
      deadLetterSink.deadLetter(message, "TTLExpiredException", "The message expired and was dead lettered.");
    }
    return true;
  }

  private ScheduledFuture<?> scheduleExpiry(UUID token, Instant until) {
    long delay = Math.max(0, Duration.between(clock.instant(), until).toMillis());
    return loop.schedule(() -> lockExpired(token, until), delay, TimeUnit.MILLISECONDS);
  }

  private void lockExpired(UUID token, Instant until) {
    Lock lock = locks.get(token);
    if (lock != null && lock.until.equals(until)) {
      locks.remove(token);
      giveBack(lock.message);
    }
  }

  /** Takes the lock away: null if it is unknown or has run out (its timer may not have fired yet). */
  private Lock takeLock(UUID token) {
    Lock lock = locks.get(token);
    if (lock == null) {
      return null;
    }
    if (!lock.until.isAfter(clock.instant())) {
      lockExpired(token, lock.until);
      return null;
    }
    locks.remove(token);
    lock.expiry.cancel(false);
    return lock;
  }

  Settled complete(UUID token) {
    return takeLock(token) == null ? Settled.LOCK_LOST : Settled.DONE;
  }

  /** Abandon: the delivery counts, and the message is available again (or dead-lettered, past the max). */
  Settled abandon(UUID token) {
    Lock lock = takeLock(token);
    if (lock == null) {
      return Settled.LOCK_LOST;
    }
    giveBack(lock.message);
    return Settled.DONE;
  }

  /** Release: the receiver never looked at it, so the delivery does not count. */
  Settled release(UUID token) {
    Lock lock = takeLock(token);
    if (lock == null) {
      return Settled.LOCK_LOST;
    }
    FakeMessage message = lock.message;
    add(new FakeMessage(message.encoded(), message.sequenceNumber(), message.enqueuedAt(),
        message.deliveries() - 1, message.brokerProperties(), message.deadLetterSource()));
    return Settled.DONE;
  }

  Settled deadLetter(UUID token, String reason, String description) {
    if (deadLetterSink == null) {
      return Settled.NOT_ALLOWED;
    }
    Lock lock = takeLock(token);
    if (lock == null) {
      return Settled.LOCK_LOST;
    }
    deadLetterSink.deadLetter(lock.message, reason, description);
    return Settled.DONE;
  }

  /** Renews a lock for the queue's lock duration from now; null if it was lost. */
  Instant renew(UUID token) {
    Lock lock = takeLock(token);
    if (lock == null) {
      return null;
    }
    Instant until = clock.instant().plus(queue.settings().lockDuration());
    locks.put(token, new Lock(lock.message, until, scheduleExpiry(token, until)));
    return until;
  }

  private void giveBack(FakeMessage message) {
    if (deadLetterSink != null && message.deliveries() >= queue.settings().maxDeliveryCount()) {
      deadLetterSink.deadLetter(message, "MaxDeliveryCountExceeded",
          "Message could not be consumed after " + message.deliveries() + " delivery attempts.");
      return;
    }
    add(message);
  }

  /** Messages from {@code fromSequenceNumber} on, locked or not, for a peek. */
  List<FakeMessage> peek(long fromSequenceNumber, int count) {
    TreeMap<Long, FakeMessage> all = new TreeMap<>(available);
    locks.values().forEach(lock -> all.put(lock.message.sequenceNumber(), lock.message));
    return all.tailMap(fromSequenceNumber, true).values().stream().limit(count).toList();
  }

  /** Messages held, whether available or locked (what Service Bus counts as active). */
  long activeCount() {
    return available.size() + locks.size();
  }

  /** The queue is being deleted: drop every message and close every receive link. */
  void close() {
    locks.values().forEach(lock -> lock.expiry.cancel(false));
    locks.clear();
    available.clear();
    List<Consumer> attached = new ArrayList<>(consumers);
    consumers.clear();
    attached.forEach(consumer -> consumer.entityGone("The messaging entity '" + path + "' was deleted."));
  }
}
