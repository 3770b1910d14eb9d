package dev.shoal.aws.dispatcher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.worker.BatchRunner;
import dev.shoal.worker.WorkerConfig;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A burst worker as an AWS Lambda function: an SQS event source mapping on the task queue delivers
 * a batch of task bundles, and this handler runs them with the worker runtime's own rules
 * ({@link BatchRunner}: the same apps, envelope verification and result signing with
 * {@value EnvelopeSigner#KEY_ENV}, the same result bundles posted to each task's reply queue, the
 * same poison and dead-letter rules by receive count), then answers with the records that must come
 * back, as {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}} (the mapping's
 * {@code ReportBatchItemFailures}).
 *
 * <p><b>Who deletes.</b> The handler acks nothing: Lambda deletes every record not reported as a
 * failure. (Dead-lettering moves a message, a copy to the dead-letter queue and then a delete, as
 * it does for a VM worker; Lambda's own delete of it afterwards is a harmless repeat.) A record is reported only when a result of it could not be posted, when its bundle could
 * not be split, or when it was not settled within the invocation's time; it comes back and runs
 * again, and the client drops the duplicate results. A record that is dead-lettered (unreadable,
 * forged or unsigned under a key, or poison: delivered more than
 * {@value PoolSettings#WORKER_MAX_DELIVERIES} times) is <em>not</em> reported: its client has been
 * told where it can be trusted, and a copy went to the queue's dead-letter queue with the reason
 * (best effort), so a redelivery would only run it into the same verdict again and again until the
 * queue's own redrive moved it, without the reason, and after costing more invocations.
 *
 * <p><b>Configuration</b> comes from the environment: {@link DispatcherSettings#TASK_QUEUE_URL} (the
 * queue the mapping reads, for dead letters and split bundles), {@link PoolSettings#SLOTS_PER_WORKER}
 * (tasks run at once; default the function's processors), {@link PoolSettings#WORKER_MAX_DELIVERIES},
 * {@link PoolSettings#WORKER_LEASE} (the task queue's visibility timeout, renewed while a batch runs),
 * {@link PoolSettings#WORKER_PAYLOAD_STORE}, {@value EnvelopeSigner#KEY_ENV} and the region. The
 * runner, its threads and its clients live in this object, which Lambda reuses across invocations
 * of a warm container.
 */
public final class WorkerFunctionHandler implements RequestStreamHandler, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkerFunctionHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Left of the invocation's time to answer Lambda; a later answer would fail the whole batch. */
  static final Duration ANSWER_MARGIN = Duration.ofSeconds(5);
  /** The variables it reads that the template sets (the signing key, when used, is the deployer's to add). */
  static final List<String> VARIABLES = List.of(DispatcherSettings.TASK_QUEUE_URL, PoolSettings.SLOTS_PER_WORKER,
      PoolSettings.WORKER_MAX_DELIVERIES, PoolSettings.WORKER_PAYLOAD_STORE, PoolSettings.WORKER_LEASE);
  /** Set by Lambda: unique to the container (its log stream), used for the worker id. */
  static final String LOG_STREAM = "AWS_LAMBDA_LOG_STREAM_NAME";
  /** The time a batch may take when no Lambda context says (tests). */
  static final Duration DEFAULT_TIME_LIMIT = Duration.ofMinutes(1);

  private final BatchRunner runner;
  private final Duration timeLimit;

  /** The constructor Lambda calls: everything from the environment, the SQS client from the SDK's defaults. */
  public WorkerFunctionHandler() {
    this(System.getenv(), SqsClients.transport(region(System.getenv())), DEFAULT_TIME_LIMIT);
  }

  /**
   * A handler on a given transport (tests run it against the embedded SQS server).
   *
   * @param timeLimit what a batch may take when the invocation has no context to say
   */
  WorkerFunctionHandler(Map<String, String> env, Transport transport, Duration timeLimit) {
    String queue = required(env, DispatcherSettings.TASK_QUEUE_URL);
    WorkerOptions options = WorkerOptions.of("sqs", region(env), queue)
        .withSlots(positive(env, PoolSettings.SLOTS_PER_WORKER, Runtime.getRuntime().availableProcessors()))
        .withMaxDeliveries(positive(env, PoolSettings.WORKER_MAX_DELIVERIES, WorkerOptions.DEFAULT_MAX_DELIVERIES))
        .withIdleTimeout(Duration.ZERO);
    String lease = env.get(PoolSettings.WORKER_LEASE);
    if (lease != null && !lease.isBlank()) {
      // The task queue's visibility timeout, renewed while a batch runs.
      try {
        options = options.withLease(Duration.parse(lease.trim()));
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(PoolSettings.WORKER_LEASE + " is not an ISO-8601 duration (PT60S): " + lease);
      }
    }
    String container = env.get(LOG_STREAM);
    if (container != null && !container.isBlank()) {
      // One id per container, as a VM's worker has one per process: it names who ran a task in its result.
      options = options.withWorkerId("lambda-" + container.substring(container.lastIndexOf(']') + 1));
    }
    String store = env.get(PoolSettings.WORKER_PAYLOAD_STORE);
    if (store != null && !store.isBlank()) {
      options = options.withPayloadStore(URI.create(store));
    }
    WireCodec codec = new WireCodec(JsonCodec.create());
    String key = env.get(EnvelopeSigner.KEY_ENV);
    EnvelopeSigner signer = key == null || key.isEmpty() ? null : EnvelopeSigner.fromSecret(key, codec);
    this.runner = BatchRunner.create(WorkerConfig.builder(options).transport(transport).codec(codec).signer(signer)
        .build());
    this.timeLimit = timeLimit;
    log.info("worker function {} serving {} ({} slots, {})", runner.id(), queue, options.slots(),
        signer == null ? "unsigned tasks" : "signed tasks only");
  }

  @Override
  public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
    List<ReceivedMessage> records = records(JSON.readTree(input));
    Duration limit = context == null ? timeLimit
        : Duration.ofMillis(Math.max(1000, context.getRemainingTimeInMillis() - ANSWER_MARGIN.toMillis()));
    List<ReceivedMessage> again = records.isEmpty() ? List.of() : runner.run(records, limit);
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode failures = answer.putArray("batchItemFailures");
    for (ReceivedMessage message : again) {
      failures.addObject().put("itemIdentifier", message.id());
    }
    log.info("worker function {}: {} record(s), {} to come back", runner.id(), records.size(), again.size());
    JSON.writeValue(output, answer);
  }

  /** Stops the runner's threads (Lambda never does: a container is frozen, then discarded). */
  @Override
  public void close() {
    runner.close();
  }

  /** The records of an SQS event, as the messages a poll would have brought. */
  static List<ReceivedMessage> records(JsonNode event) {
    List<ReceivedMessage> messages = new ArrayList<>();
    if (event == null) {
      return messages;
    }
    for (JsonNode record : event.path("Records")) {
      String id = record.path("messageId").asText(null);
      if (id == null) {
        // Nothing to report it by; Lambda counts the whole batch done or failed with the answer.
        log.warn("a record without a messageId, skipped");
        continue;
      }
      int count = record.path("attributes").path("ApproximateReceiveCount").asInt(1);
      messages.add(new ReceivedMessage(id, record.path("receiptHandle").asText(),
          record.path("body").asText("").getBytes(StandardCharsets.UTF_8), Math.max(1, count)));
    }
    return messages;
  }

  private static Map<String, String> region(Map<String, String> env) {
    String region = env.get(DispatcherSettings.RUNTIME_REGION);
    return region == null ? Map.of() : Map.of(SqsClients.REGION, region);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is not set");
    }
    return value;
  }

  private static int positive(Map<String, String> env, String name, int otherwise) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return otherwise;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a number: " + value);
    }
  }
}
