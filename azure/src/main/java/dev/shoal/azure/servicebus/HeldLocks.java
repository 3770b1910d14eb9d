package dev.shoal.azure.servicebus;

import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * The messages a transport received and has not settled, by receipt (the lock token): Service Bus
 * settles a message through the receiver that took it and the message object itself, while Shoal
 * hands around only {@code ReceivedMessage} records. Each entry knows until when its lock lasts
 * and, when a lease longer than the queue's lock was asked for, until when the transport keeps
 * renewing it and the renewal it has scheduled.
 */
final class HeldLocks {
  /** How long a lock that ran out unsettled is remembered, so that a late settlement says "lock lost". */
  private static final Duration FORGET_AFTER = Duration.ofMinutes(1);

  /** One received message. Its mutable fields are guarded by the entry itself. */
  static final class Held {
    final String address;
    final ServiceBusReceiverClient receiver;
    final ServiceBusReceivedMessage message;
    private Instant lockedUntil;
    private Instant keepUntil;
    private ScheduledFuture<?> renewal;

    Held(String address, ServiceBusReceiverClient receiver, ServiceBusReceivedMessage message, Instant lockedUntil) {
      this.address = address;
      this.receiver = receiver;
      this.message = message;
      this.lockedUntil = lockedUntil;
      this.keepUntil = lockedUntil;
    }

    synchronized Instant lockedUntil() {
      return lockedUntil;
    }

    synchronized void renewed(Instant until) {
      lockedUntil = until;
    }

    synchronized Instant keepUntil() {
      return keepUntil;
    }

    /** Keeps the lock until {@code until}, replacing any earlier renewal plan. */
    synchronized void keepUntil(Instant until) {
      keepUntil = until;
      cancelRenewal();
    }

    synchronized void renewal(ScheduledFuture<?> next) {
      cancelRenewal();
      renewal = next;
    }

    synchronized void cancelRenewal() {
      if (renewal != null) {
        renewal.cancel(false);
        renewal = null;
      }
    }
  }

  private final Map<String, Held> held = new ConcurrentHashMap<>();
  private final Clock clock;

  HeldLocks(Clock clock) {
    this.clock = clock;
  }

  void add(String receipt, Held entry) {
    held.put(receipt, entry);
  }

  Held get(String receipt) {
    return held.get(receipt);
  }

  /** Removes an entry, stopping its renewals: the message is being settled. */
  Held take(String receipt) {
    Held entry = held.remove(receipt);
    if (entry != null) {
      entry.cancelRenewal();
    }
    return entry;
  }

  /** Messages of this queue whose lock this transport holds now. */
  long lockedHere(String address) {
    Instant now = clock.instant();
    return held.values().stream().filter(h -> h.address.equals(address) && h.lockedUntil().isAfter(now)).count();
  }

  /** Forgets entries whose lock ran out a while ago and that nobody is keeping. */
  void forgetLapsed() {
    Instant cutoff = clock.instant().minus(FORGET_AFTER);
    held.values().removeIf(h -> h.lockedUntil().isBefore(cutoff) && h.keepUntil().isBefore(cutoff));
  }

  void clear() {
    held.values().forEach(Held::cancelRenewal);
    held.clear();
  }
}
