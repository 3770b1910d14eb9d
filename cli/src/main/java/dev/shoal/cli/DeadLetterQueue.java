package dev.shoal.cli;

import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A queue's dead-letter queue, as the {@code dlq} commands work on it. A listing peeks where the
 * service can (Service Bus); SQS has no "look without taking", so there a listing receives the
 * dead letters with a lease and releases them when it is done, which leaves them where they were
 * (their receive count goes up by one); while they are held, no receive returns them again, so that
 * each is seen once. Redriving sends a held letter to the queue and then acks it; purging acks.
 */
final class DeadLetterQueue implements AutoCloseable {
  /**
   * How long a receive waits for more: a receive that returns nothing ends the scan. A short poll
   * would do on ElasticMQ, but real SQS answers a short poll from a sample of its servers, and
   * Service Bus has no short poll at all.
   */
  static final Duration POLL = Duration.ofSeconds(1);
  /** How long the letters are held while a command works on them (renewed by the transport where it must be). */
  static final Duration HOLD = Duration.ofMinutes(5);
  /** Empty receives in a row after which letters the queue counted are taken to be gone (or held by others). */
  static final int PATIENCE = 5;

  private final Transport transport;
  private final String queue;
  private final String address;
  private final Map<String, ReceivedMessage> held = new LinkedHashMap<>();

  private DeadLetterQueue(Transport transport, String queue, String address) {
    this.transport = transport;
    this.queue = queue;
    this.address = address;
  }

  /** The dead-letter queue of the options' queue, on a transport it opens (and closes). */
  static DeadLetterQueue open(QueueServiceOptions options, CliContext context) {
    Transport transport = options.open();
    try {
      String queue = Failures.await(transport.resolveQueue(options.queue(context)), "find the queue");
      String address = Failures.await(transport.deadLetterAddress(queue), "find the dead-letter queue of " + queue);
      return new DeadLetterQueue(transport, queue, address);
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  /** The queue whose dead letters these are (where a redrive sends them). */
  String queue() {
    return queue;
  }

  String address() {
    return address;
  }

  /**
   * Up to {@code max} dead letters as they are, for a command that only shows them: peeked where
   * the service can (Service Bus: nothing changes, and no lock is left behind), else received,
   * held and released when this closes (see {@link #hold}).
   */
  List<ReceivedMessage> look(int max, Predicate<ReceivedMessage> enough) {
    try {
      return Failures.await(transport.peek(address, max), "peek at " + address);
    } catch (TransportException e) {
      if (e.retryable()) {
        throw e;
      }
      return hold(max, enough);
    }
  }

  /** How many letters the queue counts (approximately, on SQS). */
  long count() {
    return Failures.await(transport.depth(address), "count the dead letters of " + address).total();
  }

  /**
   * Receives and holds dead letters until the queue has no more, {@code max} are held, or one
   * that is {@code enough} came; returns every letter held, in the order received.
   *
   * <p>An empty receive ends the scan once as many letters are held as the queue counted when it
   * began; short of that count, up to {@value #PATIENCE} empty receives in a row are taken for a
   * slow answer rather than an empty queue (a receiver's first link to Service Bus takes a while;
   * SQS's counts are approximate, so the patience is bounded).
   */
  List<ReceivedMessage> hold(int max, Predicate<ReceivedMessage> enough) {
    int batch = transport.limits().maxReceiveBatch();
    long counted = count();
    int empty = 0;
    while (held.size() < max) {
      List<ReceivedMessage> received = Failures.await(transport.receive(address, Math.min(batch, max - held.size()),
          POLL), "receive from " + address);
      if (received.isEmpty()) {
        if (held.size() >= counted || ++empty >= PATIENCE) {
          break;
        }
        continue;
      }
      empty = 0;
      Failures.await(transport.extendLease(address, received, HOLD), "hold the dead letters of " + address);
      boolean done = false;
      for (ReceivedMessage message : received) {
        // A letter whose lease ran out and came again replaces its older receipt.
        held.put(message.id(), message);
        done |= enough.test(message);
      }
      if (done) {
        break;
      }
    }
    return List.copyOf(held.values());
  }

  /** Deletes these held letters for good. */
  void ack(Collection<ReceivedMessage> letters) {
    if (letters.isEmpty()) {
      return;
    }
    Failures.await(transport.ack(address, List.copyOf(letters)), "delete dead letters from " + address);
    letters.forEach(letter -> held.remove(letter.id()));
  }

  /** Sends these held letters' bodies back to their queue, then deletes them here. */
  void redrive(Collection<ReceivedMessage> letters) {
    if (letters.isEmpty()) {
      return;
    }
    List<byte[]> bodies = new ArrayList<>();
    letters.forEach(letter -> bodies.add(letter.body()));
    Failures.await(transport.send(queue, bodies), "send dead letters back to " + queue);
    ack(letters);
  }

  /** Releases what is still held, so that it is in the dead-letter queue as before; closes the transport. */
  @Override
  public void close() {
    try {
      if (!held.isEmpty()) {
        Failures.await(transport.extendLease(address, List.copyOf(held.values()), Duration.ZERO),
            "release the dead letters of " + address);
        held.clear();
      }
    } finally {
      transport.close();
    }
  }
}
