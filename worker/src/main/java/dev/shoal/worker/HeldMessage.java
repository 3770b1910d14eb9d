package dev.shoal.worker;

import dev.shoal.spi.ReceivedMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A received message the worker holds a lease on, with the bookkeeping that decides its fate
 * once every task of it is accounted for: ack it, dead-letter (part of) it, or release it.
 */
final class HeldMessage {
  /** An envelope of this message that must go to the dead-letter queue, and why. */
  record Rejection(int index, String reason) {}

  final ReceivedMessage message;
  final Instant received;
  /** The number of envelopes in the bundle, valid or not. */
  final int size;
  /** The queue it came from, where it is settled; null where its holder serves one queue only. */
  final String queue;

  // Starts at 1, a guard held while the message is being taken in, so that it cannot settle
  // before all of its tasks have been counted.
  private final AtomicInteger outstanding = new AtomicInteger(1);
  private final AtomicBoolean settled = new AtomicBoolean();
  private final List<Rejection> rejections = new ArrayList<>(0);
  private volatile boolean incomplete;
  private volatile boolean unposted;
  private volatile boolean poison;
  private volatile boolean letGo;

  HeldMessage(ReceivedMessage message, Instant received, int size) {
    this(message, received, size, null);
  }

  HeldMessage(ReceivedMessage message, Instant received, int size, String queue) {
    this.message = message;
    this.received = received;
    this.size = size;
    this.queue = queue;
  }

  void expect(int pieces) {
    outstanding.addAndGet(pieces);
  }

  /** Accounts for one piece (a posted result, a cancelled task, the intake guard); true for the last. */
  boolean arrive() {
    return outstanding.decrementAndGet() == 0;
  }

  /** True the first time only: the message is settled exactly once, by its last piece or by abandonment. */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  boolean isSettled() {
    return settled.get();
  }

  synchronized void reject(int index, String reason) {
    rejections.add(new Rejection(index, reason));
  }

  synchronized List<Rejection> rejections() {
    return List.copyOf(rejections);
  }

  /** A task of it was not run (the worker is stopping): the message must be delivered again. */
  void markIncomplete() {
    incomplete = true;
  }

  boolean incomplete() {
    return incomplete;
  }

  /** A result of it could not be posted: acking it would lose that result. */
  void markUnposted() {
    unposted = true;
  }

  boolean unposted() {
    return unposted;
  }

  /** Being released or dead-lettered: its lease must no longer be extended. */
  void letGo() {
    letGo = true;
  }

  boolean isLetGo() {
    return letGo;
  }

  /** Its only task kept killing workers: it goes to the dead-letter queue whatever happens. */
  void markPoison() {
    poison = true;
  }

  boolean poison() {
    return poison;
  }
}
