package dev.shoal.worker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.internal.wire.BundleWriter;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a held message once every task in it is accounted for: acknowledged when all its
 * results are posted, dead-lettered (whole, or only its rejected envelopes) with the reason when
 * some were refused, or released back to the queue when its work was not done. Whatever the
 * outcome, the worker is told to forget the message when the service has answered.
 */
final class MessageSettler {
  private static final Logger log = LoggerFactory.getLogger(MessageSettler.class);
  private static final int MAX_REASON_CHARS = 1000;

  private final String workerId;
  private final Transport transport;
  private final String queue;
  private final WireCodec codec;
  /** Frames the rejected part of a bundle. */
  private final BundleWriter tasks;
  private final ScheduledExecutorService timer;
  private final Consumer<HeldMessage> forget;
  private final Batcher<HeldMessage> acks;
  /** Whether the delivery platform deletes what was done (a Lambda event source mapping), so nothing is acked here. */
  private final boolean platformAcks;

  /**
   * @param timer the worker's lease timer: releases run there too, so that a lease extension can
   *     never land after a release and hide the message again
   * @param forget told when the service has answered for a message, however it went
   */
  MessageSettler(String workerId, Transport transport, String queue, WireCodec codec, ScheduledExecutorService timer,
      Duration retryLimit, BooleanSupplier abandoned, Consumer<HeldMessage> forget) {
    this(workerId, transport, queue, codec, timer, retryLimit, abandoned, forget, false);
  }

  /**
   * @param platformAcks true when the platform that delivered the messages deletes those reported
   *     done: a done message is then only forgotten, never acked here
   */
  MessageSettler(String workerId, Transport transport, String queue, WireCodec codec, ScheduledExecutorService timer,
      Duration retryLimit, BooleanSupplier abandoned, Consumer<HeldMessage> forget, boolean platformAcks) {
    this.platformAcks = platformAcks;
    this.workerId = workerId;
    this.transport = transport;
    this.queue = queue;
    this.codec = codec;
    this.tasks = BundleWriter.tasks(transport.limits().maxMessageBytes(), 1);
    this.timer = timer;
    this.forget = forget;
    this.acks = new Batcher<>("acks on " + queue,
        batch -> transport.ack(queue, batch.stream().map(h -> h.message).toList()),
        batch -> batch.forEach(forget),
        // The results are posted; a redelivery only costs a duplicate, which the client drops.
        (batch, error) -> batch.forEach(forget),
        timer, retryLimit, abandoned);
  }

  /** One of the outcomes the message waits for has come: after the last, it is settled. */
  void arrive(HeldMessage held) {
    if (held.arrive()) {
      settle(held);
    }
  }

  /** A result that could not be posted: a required one sends its message back to the queue. */
  void givenUp(ResultPublisher.Pending result) {
    if (result.required()) {
      result.owner().markUnposted();
    }
    arrive(result.owner());
  }

  /** A bug of ours, or no memory even to report one: the message goes back to the queue. */
  void letGo(HeldMessage held) {
    held.markUnposted();
    arrive(held);
  }

  /** Every task of the message is accounted for: ack it, dead-letter (part of) it, or release it. */
  void settle(HeldMessage held) {
    if (!held.settle()) {
      return;
    }
    if (held.incomplete() || held.unposted()) {
      release(held);
      return;
    }
    List<HeldMessage.Rejection> rejections = held.rejections();
    if (rejections.isEmpty()) {
      if (platformAcks) {
        forget.accept(held);
      } else {
        acks.add(held);
      }
      return;
    }
    held.letGo();
    String reason = reason(rejections, held.size);
    ReceivedMessage target = held.poison() || rejections.size() >= held.size ? held.message
        : rejectedOnly(held.message, rejections);
    call(() -> transport.deadLetter(queue, target, reason)).whenComplete((ignored, error) -> {
      if (error != null) {
        log.warn("worker {}: could not dead-letter message {}: {}", workerId, held.message.id(), error.toString());
      }
      forget.accept(held);
    });
  }

  /** Dead-letters a message the worker never took in (unreadable, or holding no task). */
  CompletableFuture<Void> deadLetterUnheld(ReceivedMessage message, String reason) {
    return call(() -> transport.deadLetter(queue, message, reason)).handle((ignored, error) -> {
      if (error != null) {
        log.warn("worker {}: could not dead-letter message {}: {}", workerId, message.id(), error.toString());
      }
      return null;
    });
  }

  /** Re-frames one envelope of a received bundle as a bundle of its own. */
  byte[] single(JsonNode envelope) {
    return tasks.frame(List.of(codec.json().encode(envelope)));
  }

  /** A copy of the message holding only its rejected envelopes, under the original's receipt. */
  private ReceivedMessage rejectedOnly(ReceivedMessage message, List<HeldMessage.Rejection> rejections) {
    JsonNode items = bundleItems(codec, message.body());
    List<byte[]> bad = rejections.stream()
        .sorted(Comparator.comparingInt(HeldMessage.Rejection::index))
        .map(r -> codec.json().encode(items.get(r.index())))
        .toList();
    return new ReceivedMessage(message.id(), message.receipt(), tasks.frame(bad), message.receiveCount());
  }

  private static String reason(List<HeldMessage.Rejection> rejections, int size) {
    String reason;
    if (size == 1) {
      reason = rejections.get(0).reason();
    } else {
      StringBuilder text = new StringBuilder()
          .append(rejections.size()).append(" of ").append(size).append(" envelopes rejected:");
      rejections.stream().sorted(Comparator.comparingInt(HeldMessage.Rejection::index))
          .forEach(r -> text.append(" [").append(r.index()).append("] ").append(r.reason()).append(';'));
      reason = text.substring(0, text.length() - 1);
    }
    return reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS - 3) + "..." : reason;
  }

  private void release(HeldMessage held) {
    held.letGo();
    try {
      timer.execute(() -> call(() -> transport.extendLease(queue, List.of(held.message), Duration.ZERO))
          .whenComplete((ignored, error) -> {
            if (error != null) {
              log.debug("worker {}: could not release message {}: {}", workerId, held.message.id(), error.toString());
            }
            forget.accept(held);
          }));
    } catch (RejectedExecutionException stopped) {
      forget.accept(held);
    }
  }

  /** The envelopes of a body that {@link WireCodec#decodeTasks} has already read as a task bundle. */
  static JsonNode bundleItems(WireCodec codec, byte[] body) {
    return codec.json().readTree(body).get("tasks");
  }

  /** A transport call whose synchronous exceptions become a failed future, as its callers expect. */
  static <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> operation) {
    try {
      return operation.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
