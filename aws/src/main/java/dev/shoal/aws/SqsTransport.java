package dev.shoal.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import dev.shoal.spi.TransportLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * {@link Transport} over Amazon SQS (or anything that speaks its API: ElasticMQ, LocalStack) with
 * the asynchronous SDK client: batched sends, deletes and visibility changes of up to 10 entries,
 * long polling, and a dead-letter queue set up with a redrive policy.
 */
public final class SqsTransport implements Transport {
  /** SQS accepts bodies of up to 1 MiB; ElasticMQ and older setups accept 256 KiB. */
  public static final int SQS_MAX_MESSAGE_BYTES = 1024 * 1024;
  public static final int CLASSIC_MAX_MESSAGE_BYTES = 256 * 1024;
  /** The attribute that records why Shoal moved a message to a dead-letter queue. */
  public static final String REASON_ATTRIBUTE = "shoal-reason";
  /** The queue tag that says when a run's reply queue may be swept (an ISO-8601 instant). */
  public static final String EXPIRES_TAG = "shoal:expires";

  private static final int BATCH = 10;
  private static final Duration MAX_RECEIVE_WAIT = Duration.ofSeconds(20);
  private static final Duration MAX_VISIBILITY = Duration.ofHours(12);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SqsAsyncClient sqs;
  private final boolean ownsClient;
  private final TransportLimits limits;
  private final int maxMessageBytes;
  private final int maxBatchBytes;
  private final Map<String, CompletableFuture<String>> deadLetterAddresses = new ConcurrentHashMap<>();

  private SqsTransport(Builder builder) {
    this.sqs = Objects.requireNonNull(builder.client, "an SQS transport needs a client");
    this.ownsClient = builder.ownsClient;
    this.maxMessageBytes = builder.maxMessageBytes;
    this.maxBatchBytes = builder.maxBatchBytes;
    this.limits = new TransportLimits(maxMessageBytes, BATCH, BATCH, MAX_RECEIVE_WAIT, MAX_VISIBILITY);
  }

  public static Builder builder() {
    return new Builder();
  }

  public SqsAsyncClient client() {
    return sqs;
  }

  @Override
  public TransportLimits limits() {
    return limits;
  }

  /** A queue URL, as opposed to a queue name (which cannot contain ':' or '/'). */
  @Override
  public boolean isAddress(String nameOrAddress) {
    return nameOrAddress.startsWith("https://") || nameOrAddress.startsWith("http://");
  }

  @Override
  public CompletableFuture<String> createQueue(String name, QueueOptions options) {
    Map<QueueAttributeName, String> attributes = new HashMap<>();
    attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(options.visibilityTimeout().toSeconds()));
    attributes.put(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(clampRetention(options.retention())));
    attributes.put(QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS, "0");
    CompletableFuture<Void> deadLetters = CompletableFuture.completedFuture(null);
    if (options.maxReceiveCount() > 0) {
      String dlqName = QueueOptions.deadLetterName(name);
      deadLetters = sqs.createQueue(r -> r.queueName(dlqName)
              .attributes(Map.of(QueueAttributeName.MESSAGE_RETENTION_PERIOD, Long.toString(14L * 24 * 3600)))
              .tags(options.tags()))
          .thenCompose(created -> sqs.getQueueAttributes(r -> r.queueUrl(created.queueUrl())
              .attributeNames(QueueAttributeName.QUEUE_ARN)))
          .thenAccept(dlq -> attributes.put(QueueAttributeName.REDRIVE_POLICY,
              "{\"maxReceiveCount\":\"" + options.maxReceiveCount() + "\",\"deadLetterTargetArn\":\""
                  + dlq.attributes().get(QueueAttributeName.QUEUE_ARN) + "\"}"));
    }
    return wrap("create queue " + name, deadLetters
        .thenCompose(ignored -> sqs.createQueue(r -> r.queueName(name).attributes(attributes).tags(options.tags())))
        .thenApply(created -> created.queueUrl()));
  }

  private static long clampRetention(Duration retention) {
    return Math.max(60, Math.min(retention.toSeconds(), 14L * 24 * 3600));
  }

  @Override
  public CompletableFuture<String> queueAddress(String name) {
    return wrap("find queue " + name, sqs.getQueueUrl(r -> r.queueName(name)).thenApply(r -> r.queueUrl()));
  }

  @Override
  public CompletableFuture<Void> deleteQueue(String address) {
    return wrap("delete queue " + address, sqs.deleteQueue(r -> r.queueUrl(address)).thenApply(r -> null));
  }

  @Override
  public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
    for (byte[] body : bodies) {
      if (body.length > maxMessageBytes) {
        return CompletableFuture.failedFuture(new TransportException("message of " + body.length
            + " bytes is over the limit of " + maxMessageBytes, false));
      }
    }
    List<CompletableFuture<Void>> batches = new ArrayList<>();
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
    int batchBytes = 0;
    for (byte[] body : bodies) {
      if (entries.size() == BATCH || (!entries.isEmpty() && batchBytes + body.length > maxBatchBytes)) {
        batches.add(sendBatch(address, entries));
        entries = new ArrayList<>();
        batchBytes = 0;
      }
      entries.add(SendMessageBatchRequestEntry.builder()
          .id(Integer.toString(entries.size()))
          .messageBody(new String(body, StandardCharsets.UTF_8))
          .build());
      batchBytes += body.length;
    }
    if (!entries.isEmpty()) {
      batches.add(sendBatch(address, entries));
    }
    return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> sendBatch(String address, List<SendMessageBatchRequestEntry> entries) {
    return batchCall("send to " + address,
        sqs.sendMessageBatch(r -> r.queueUrl(address).entries(entries)).thenApply(response -> response.failed()));
  }

  @Override
  public CompletableFuture<List<ReceivedMessage>> receive(String address, int max, Duration wait) {
    return wrap("receive from " + address, sqs.receiveMessage(r -> r.queueUrl(address)
            .maxNumberOfMessages(Math.max(1, Math.min(max, BATCH)))
            .waitTimeSeconds((int) Math.max(0, limits.receiveWait(wait).toSeconds()))
            .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)
            // Only dead letters carry it; asking costs nothing on other queues.
            .messageAttributeNames(REASON_ATTRIBUTE))
        .thenApply(response -> {
          List<ReceivedMessage> received = new ArrayList<>(response.messages().size());
          for (Message message : response.messages()) {
            String count = message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT);
            MessageAttributeValue reason = message.messageAttributes().get(REASON_ATTRIBUTE);
            received.add(new ReceivedMessage(message.messageId(), message.receiptHandle(),
                message.body().getBytes(StandardCharsets.UTF_8), count == null ? 1 : Integer.parseInt(count),
                reason == null ? null : reason.stringValue()));
          }
          return received;
        }));
  }

  @Override
  public CompletableFuture<Void> ack(String address, List<ReceivedMessage> messages) {
    return inBatches("delete from " + address, messages,
        (id, message) -> DeleteMessageBatchRequestEntry.builder().id(id).receiptHandle(message.receipt()).build(),
        entries -> sqs.deleteMessageBatch(r -> r.queueUrl(address).entries(entries))
            .thenApply(response -> response.failed()));
  }

  @Override
  public CompletableFuture<Void> extendLease(String address, List<ReceivedMessage> messages, Duration visibility) {
    int seconds = (int) Math.max(0, limits.lease(visibility).toSeconds());
    return inBatches("change visibility in " + address, messages,
        (id, message) -> ChangeMessageVisibilityBatchRequestEntry.builder().id(id)
            .receiptHandle(message.receipt()).visibilityTimeout(seconds).build(),
        entries -> sqs.changeMessageVisibilityBatch(r -> r.queueUrl(address).entries(entries))
            .thenApply(response -> response.failed()));
  }

  /**
   * One batch request per {@value #BATCH} received messages, made of one entry per message (its id
   * in the batch, and the message), each request's failed entries checked.
   *
   * @param call sends one batch and yields its failed entries
   */
  private <E> CompletableFuture<Void> inBatches(String what, List<ReceivedMessage> messages,
      BiFunction<String, ReceivedMessage, E> entry,
      Function<List<E>, CompletableFuture<List<BatchResultErrorEntry>>> call) {
    List<CompletableFuture<Void>> batches = new ArrayList<>();
    for (int from = 0; from < messages.size(); from += BATCH) {
      List<E> entries = new ArrayList<>();
      for (int i = from; i < Math.min(messages.size(), from + BATCH); i++) {
        entries.add(entry.apply(Integer.toString(i - from), messages.get(i)));
      }
      batches.add(batchCall(what, call.apply(entries)));
    }
    return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new));
  }

  /** A batch request's outcome: failed entries (if any) as a {@link TransportException}. */
  private static CompletableFuture<Void> batchCall(String what, CompletableFuture<List<BatchResultErrorEntry>> call) {
    return wrap(what, call.thenApply(failed -> {
      checkBatch(what, failed);
      return null;
    }));
  }

  @Override
  public CompletableFuture<Void> deadLetter(String address, ReceivedMessage message, String reason) {
    String shortReason = reason.length() > 1024 ? reason.substring(0, 1024) : reason;
    return deadLetterAddress(address)
        .thenCompose(dlq -> wrap("dead-letter to " + dlq, sqs.sendMessage(r -> r.queueUrl(dlq)
            .messageBody(new String(message.body(), StandardCharsets.UTF_8))
            .messageAttributes(Map.of(REASON_ATTRIBUTE, MessageAttributeValue.builder()
                .dataType("String").stringValue(shortReason).build())))))
        .thenCompose(sent -> ack(address, List.of(message)));
  }

  /** The dead-letter queue named by the queue's redrive policy. */
  @Override
  public CompletableFuture<String> deadLetterAddress(String address) {
    CompletableFuture<String> known = deadLetterAddresses.computeIfAbsent(address, a ->
        wrap("read the redrive policy of " + a, sqs.getQueueAttributes(r -> r.queueUrl(a)
                .attributeNames(QueueAttributeName.REDRIVE_POLICY))
            .thenCompose(response -> {
              String policy = response.attributes().get(QueueAttributeName.REDRIVE_POLICY);
              if (policy == null) {
                throw new TransportException("queue " + a + " has no dead-letter queue (no redrive policy)", false);
              }
              String arn = readArn(policy);
              return sqs.getQueueUrl(r -> r.queueName(arn.substring(arn.lastIndexOf(':') + 1)));
            })
            .thenApply(r -> r.queueUrl())));
    // Do not remember a failure: the queue may just have been briefly unreachable.
    known.whenComplete((url, error) -> {
      if (error != null) {
        deadLetterAddresses.remove(address, known);
      }
    });
    return known;
  }

  private static String readArn(String policy) {
    try {
      JsonNode node = JSON.readTree(policy);
      return node.path("deadLetterTargetArn").asText();
    } catch (IOException e) {
      throw new TransportException("unreadable redrive policy: " + policy, e, false);
    }
  }

  /**
   * Deletes the queues whose names start with {@code prefix} and whose {@code shoal:expires} tag is
   * before {@code now}: the reply queues of runs that ended without cleaning up (a killed client).
   *
   * @return the addresses deleted
   */
  public CompletableFuture<List<String>> sweepExpired(String prefix, java.time.Instant now) {
    return wrap("list queues " + prefix + "*", sqs.listQueues(r -> r.queueNamePrefix(prefix).maxResults(1000)))
        .thenCompose(listed -> {
          List<CompletableFuture<String>> checks = new ArrayList<>();
          for (String url : listed.queueUrls()) {
            checks.add(sqs.listQueueTags(r -> r.queueUrl(url)).thenCompose(tags -> {
              String expires = tags.tags().get(EXPIRES_TAG);
              if (expires == null || !java.time.Instant.parse(expires).isBefore(now)) {
                return CompletableFuture.completedFuture((String) null);
              }
              return sqs.deleteQueue(r -> r.queueUrl(url)).thenApply(deleted -> url);
            }).exceptionally(error -> null));
          }
          return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<String> deleted = new ArrayList<>();
            checks.forEach(check -> {
              String url = check.join();
              if (url != null) {
                deleted.add(url);
              }
            });
            return deleted;
          });
        });
  }

  /** The queues of this account and region whose names start with the prefix, following every page. */
  @Override
  public CompletableFuture<List<String>> listQueues(String namePrefix) {
    return wrap("list queues " + namePrefix + "*", listFrom(namePrefix, null, new ArrayList<>()));
  }

  private CompletableFuture<List<String>> listFrom(String prefix, String token, List<String> found) {
    return sqs.listQueues(r -> r.queueNamePrefix(prefix).maxResults(1000).nextToken(token)).thenCompose(page -> {
      found.addAll(page.queueUrls());
      return page.nextToken() == null || page.nextToken().isEmpty() ? CompletableFuture.completedFuture(found)
          : listFrom(prefix, page.nextToken(), found);
    });
  }

  @Override
  public CompletableFuture<QueueDepth> depth(String address) {
    return wrap("read the depth of " + address, sqs.getQueueAttributes(r -> r.queueUrl(address).attributeNames(
            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
        .thenApply(response -> new QueueDepth(
            Long.parseLong(response.attributes().getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
            Long.parseLong(response.attributes().getOrDefault(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")))));
  }

  @Override
  public CompletableFuture<Void> tagQueue(String address, Map<String, String> tags) {
    return wrap("tag queue " + address, sqs.tagQueue(r -> r.queueUrl(address).tags(tags)).thenApply(r -> null));
  }

  @Override
  public CompletableFuture<Map<String, String>> queueTags(String address) {
    return wrap("read the tags of " + address, sqs.listQueueTags(r -> r.queueUrl(address))
        .thenApply(response -> Map.copyOf(response.tags())));
  }

  private static void checkBatch(String what, List<BatchResultErrorEntry> failed) {
    if (failed == null || failed.isEmpty()) {
      return;
    }
    BatchResultErrorEntry first = failed.get(0);
    boolean retryable = failed.stream().noneMatch(BatchResultErrorEntry::senderFault);
    throw new TransportException(what + ": " + failed.size() + " entries failed, first: " + first.code() + " "
        + first.message(), retryable);
  }

  /** Maps SDK failures to {@link TransportException}, saying whether a retry may help. */
  private static <T> CompletableFuture<T> wrap(String what, CompletableFuture<T> call) {
    return call.handle((value, error) -> {
      if (error == null) {
        return value;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof TransportException transport) {
        throw transport;
      }
      throw new TransportException("could not " + what + ": " + cause.getMessage(), cause, retryable(cause));
    });
  }

  static boolean retryable(Throwable cause) {
    if (cause instanceof QueueDoesNotExistException) {
      return false;
    }
    if (cause instanceof SqsException service) {
      int status = service.statusCode();
      return status >= 500 || status == 429 || service.isThrottlingException();
    }
    return cause instanceof SdkClientException || cause instanceof IOException || !(cause instanceof SdkException);
  }

  @Override
  public void close() {
    if (ownsClient) {
      sqs.close();
    }
  }

  /** Configuration of an SQS transport. */
  public static final class Builder {
    private SqsAsyncClient client;
    private boolean ownsClient;
    private int maxMessageBytes = CLASSIC_MAX_MESSAGE_BYTES;
    private int maxBatchBytes = CLASSIC_MAX_MESSAGE_BYTES;

    private Builder() {}

    /** The client to use; the transport closes it only if {@code owned}. */
    public Builder client(SqsAsyncClient client, boolean owned) {
      this.client = Objects.requireNonNull(client, "client");
      this.ownsClient = owned;
      return this;
    }

    /**
     * The largest message body (default 256 KiB, which every SQS-compatible service accepts; set
     * {@link #SQS_MAX_MESSAGE_BYTES} for Amazon SQS, whose limit is now 1 MiB).
     */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      this.maxBatchBytes = bytes;
      return this;
    }

    public SqsTransport build() {
      return new SqsTransport(this);
    }
  }
}
