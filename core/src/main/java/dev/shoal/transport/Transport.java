package dev.shoal.transport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A message queue service as Shoal uses it: at-least-once delivery, leases (visibility timeouts or
 * locks) that a consumer extends while it works, explicit acknowledgement, and a dead-letter queue.
 * Implemented over SQS, Service Bus, and in memory for tests. Every operation is asynchronous;
 * a failed operation completes its future with a {@link TransportException}.
 */
public interface Transport extends AutoCloseable {

  /** The largest message body this transport accepts, in bytes. */
  int maxMessageBytes();

  /** Creates the queue if it does not exist (and its dead-letter queue, if asked); returns its address. */
  CompletableFuture<String> createQueue(String name, QueueOptions options);

  /** The address of an existing queue. */
  CompletableFuture<String> queueAddress(String name);

  CompletableFuture<Void> deleteQueue(String address);

  /** Sends these bodies, in as few requests as the service allows. */
  CompletableFuture<Void> send(String address, List<byte[]> bodies);

  /**
   * Receives up to {@code max} messages, waiting up to {@code wait} for the first (long polling).
   * Received messages are leased to the caller for the queue's visibility timeout.
   */
  CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait);

  /** Deletes messages that have been dealt with. */
  CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages);

  /** Sets the leases of these messages to {@code visibility} from now; zero releases them at once. */
  CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility);

  /** Moves a message to the queue's dead-letter queue, recording the reason. */
  CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason);

  /** Approximate counts of messages waiting and leased. */
  CompletableFuture<QueueDepth> depth(String address);

  @Override
  void close();
}
