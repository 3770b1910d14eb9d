package dev.shoal.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A message queue service as Shoal uses it: at-least-once delivery, leases (visibility timeouts or
 * locks) that a consumer extends while it works, explicit acknowledgement, and a dead-letter queue.
 * Implemented over SQS, Service Bus, and in memory for tests. Every operation is asynchronous;
 * a failed operation completes its future with a {@link TransportException}.
 */
public interface Transport extends AutoCloseable {

  /** What the service accepts: message size, batch sizes, longest poll and lease. */
  TransportLimits limits();

  /**
   * Whether this is a queue's address on this service (an SQS queue URL, say) rather than a name:
   * configuration may give either, and only a name is looked up or created.
   */
  boolean isAddress(String nameOrAddress);

  /** Creates the queue if it does not exist (and its dead-letter queue, if asked); returns its address. */
  CompletableFuture<String> createQueue(String name, QueueOptions options);

  /** The address of an existing queue. */
  CompletableFuture<String> queueAddress(String name);

  /** The address of an existing queue given by name or address; an address is taken as it is. */
  default CompletableFuture<String> resolveQueue(String nameOrAddress) {
    return isAddress(nameOrAddress) ? CompletableFuture.completedFuture(nameOrAddress) : queueAddress(nameOrAddress);
  }

  /**
   * The address of a queue given by name or address, creating it with these options when it is
   * given by name and missing. An address is taken as it is: whoever made it chose its settings.
   */
  default CompletableFuture<String> openQueue(String nameOrAddress, QueueOptions options) {
    return isAddress(nameOrAddress) ? CompletableFuture.completedFuture(nameOrAddress)
        : createQueue(nameOrAddress, options);
  }

  CompletableFuture<Void> deleteQueue(String address);

  /**
   * Sends these bodies, in as few requests as the service allows ({@link TransportLimits#maxSendBatch()}
   * a request). A body over {@link TransportLimits#maxMessageBytes()} fails the whole call, sending nothing.
   */
  CompletableFuture<Void> send(String address, List<byte[]> bodies);

  /**
   * Receives up to {@code max} messages, waiting up to {@code wait} for the first (long polling).
   * Received messages are leased to the caller for the queue's visibility timeout. A {@code max}
   * or {@code wait} over the {@linkplain #limits() limits} is cut to them.
   */
  CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait);

  /** Deletes messages that have been dealt with. */
  CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages);

  /** Sets the leases of these messages to {@code visibility} from now; zero releases them at once. */
  CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility);

  /**
   * Moves a message to the queue's dead-letter queue, recording the reason (which a receiver of the
   * dead-letter queue reads back as {@link ReceivedMessage#deadLetterReason()}).
   */
  CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason);

  /**
   * The address of the queue's dead-letter queue, where {@link #deadLetter} and the service's own
   * redrive move its messages. Messages there are received, leased, released and acked like any
   * queue's, which is how a tool lists them (receive, then release), redrives them (send to the
   * queue, then ack) or purges them (ack). Fails with a non-retryable {@link TransportException}
   * when the queue has none, and on a transport without dead-letter queues (the default).
   */
  default CompletableFuture<String> deadLetterAddress(String address) {
    return CompletableFuture.failedFuture(new TransportException(getClass().getSimpleName()
        + " cannot find dead-letter queues", false));
  }

  /**
   * Up to {@code max} messages of the queue as they are, without receiving them: no lease is taken
   * and no delivery counted (Service Bus's peek), so that a tool can show a queue without changing
   * it. A peeked message has no receipt (null): it cannot be acked, leased or dead-lettered. A
   * transport that cannot peek (SQS has no such call; the default) fails with a non-retryable
   * {@link TransportException}, and a tool receives and releases instead.
   */
  default CompletableFuture<List<ReceivedMessage>> peek(String address, int max) {
    return CompletableFuture.failedFuture(new TransportException(getClass().getSimpleName()
        + " cannot peek at messages", false));
  }

  /**
   * The addresses of the queues whose names start with {@code namePrefix} (a run's reply queues are
   * {@code shoal-reply-<run id>}), for tools that show what a service holds. A transport that cannot
   * list queues (the default) fails with a non-retryable {@link TransportException}.
   */
  default CompletableFuture<List<String>> listQueues(String namePrefix) {
    return CompletableFuture.failedFuture(new TransportException(getClass().getSimpleName()
        + " cannot list queues", false));
  }

  /** Approximate counts of messages waiting and leased. */
  CompletableFuture<QueueDepth> depth(String address);

  /**
   * Adds or replaces labels on a queue (like {@link QueueOptions#tags()} at creation), for whoever
   * reads the queue: a publisher records there how many tasks its messages carry
   * ({@link QueueDepth#TASKS_PER_MESSAGE_TAG}), which a dispatcher reads with the depth. SQS calls
   * them tags; a transport without labels (the default) fails with a non-retryable
   * {@link TransportException}.
   */
  default CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    return CompletableFuture.failedFuture(new TransportException(getClass().getSimpleName()
        + " cannot label queues", false));
  }

  /** A queue's labels; empty for a transport without labels (the default). */
  default CompletableFuture<Map<String, String>> queueTags(String address) {
    return CompletableFuture.completedFuture(Map.of());
  }

  @Override
  void close();
}
