package dev.shoal.aws.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.ShutdownMode;
import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.testing.Await;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker function's handler in-process: its records are messages received from the embedded
 * SQS server, sent there by a real client ({@link QueueExecutor} under a {@link DataFlowKernel}),
 * and its answers reach that client through the same server.
 */
class WorkerFunctionHandlerTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String KEY = "the worker function's test key, long enough";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final WireCodec WIRE = new WireCodec(JsonCodec.create());

  private static EmbeddedSqsServer server;
  private static Transport transport;

  @TempDir
  Path runDir;

  private final String taskQueueName = "shoal-tasks-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<DataFlowKernel> clients = new ArrayList<>();

  @BeforeAll
  static void sqs() {
    server = EmbeddedSqsServer.start();
    transport = SqsClients.transport(Map.of(SqsClients.ENDPOINT, server.endpoint().toString(),
        SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static"));
  }

  @AfterAll
  static void stopSqs() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(dfk -> dfk.close(ShutdownMode.CANCEL));
  }

  @Test
  void aBundleOfSeveralTasksRunsAndEveryTaskGetsItsAnswer() throws Exception {
    // The first send is held, so the tasks submitted meanwhile leave together in one bundle.
    CompletableFuture<Void> firstSendHeld = new CompletableFuture<>();
    Transport holding = new ForwardingTransport(transport) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return firstSendHeld.thenCompose(open -> super.send(address, bodies));
      }
    };
    QueueExecutor executor = executor(holding, null);
    DataFlowKernel dfk = client(executor, "bundle");
    List<AppFuture<Long>> squares = new ArrayList<>();
    for (long i = 1; i <= 6; i++) {
      squares.add(dfk.call(WorkerFunctionApps.SQUARE, i));
    }
    firstSendHeld.complete(null);
    Await.until(PATIENCE, () -> executor.tasksSent() == 6, () -> "all tasks sent");
    List<ReceivedMessage> messages = receive(executor.messagesSent());
    assertThat(messages).as("some message is a bundle of several tasks")
        .anySatisfy(m -> assertThat(WIRE.decodeTasks(m.body(), 1 << 20).envelopes()).hasSizeGreaterThan(1));

    JsonNode answer = invoke(handler(null, Duration.ofSeconds(30)), event(messages));

    assertThat(answer.path("batchItemFailures")).isEmpty();
    for (int i = 0; i < squares.size(); i++) {
      assertThat(squares.get(i).get(30, TimeUnit.SECONDS)).isEqualTo((long) (i + 1) * (i + 1));
    }
  }

  @Test
  void onlyTheRecordWhoseReplyQueueIsGoneComesBack() throws Exception {
    QueueExecutor gone = executor(transport, null);
    DataFlowKernel goneClient = client(gone, "gone");
    QueueExecutor alive = executor(transport, null);
    DataFlowKernel aliveClient = client(alive, "alive");
    goneClient.call(WorkerFunctionApps.SQUARE, 3L);
    Await.until(PATIENCE, () -> gone.tasksSent() == 1, () -> "the first task sent");
    AppFuture<Long> answered = aliveClient.call(WorkerFunctionApps.SQUARE, 4L);
    Await.until(PATIENCE, () -> alive.tasksSent() == 1, () -> "the second task sent");
    List<ReceivedMessage> messages = receive(2);
    String goneId = messages.stream().filter(m -> new String(m.body(), StandardCharsets.UTF_8)
        .contains(gone.replyQueue())).findFirst().orElseThrow().id();
    transport.deleteQueue(gone.replyQueue()).join();

    // Posting gives up after three quarters of the time limit.
    JsonNode answer = invoke(handler(null, Duration.ofSeconds(4)), event(messages));

    assertThat(answer.path("batchItemFailures")).singleElement()
        .satisfies(failure -> assertThat(failure.path("itemIdentifier").asText()).isEqualTo(goneId));
    assertThat(answered.get(30, TimeUnit.SECONDS)).isEqualTo(16L);
  }

  @Test
  void withAKeyForgedAndUnsignedEnvelopesAreNotRunAndAreDeadLetteredNotRetried() throws Exception {
    QueueExecutor executor = executor(transport, KEY);
    DataFlowKernel dfk = client(executor, "signed");
    AppFuture<Long> genuine = dfk.call(WorkerFunctionApps.SQUARE, 7L);
    Await.until(PATIENCE, () -> executor.tasksSent() == 1, () -> "the genuine task sent");
    Path forgedMark = runDir.resolve("forged-ran");
    Path unsignedMark = runDir.resolve("unsigned-ran");
    TaskEnvelope forged = EnvelopeSigner.fromSecret("not the real key, but long enough", WIRE)
        .sign(markTask(900, dfk.runId(), forgedMark, executor.replyQueue()));
    TaskEnvelope unsigned = markTask(901, dfk.runId(), unsignedMark, executor.replyQueue());
    transport.send(executor.taskQueue(), List.of(WIRE.encodeTasks(List.of(forged)),
        WIRE.encodeTasks(List.of(unsigned)))).join();
    List<ReceivedMessage> messages = receive(3);

    JsonNode answer = invoke(handler(KEY, Duration.ofSeconds(30)), event(messages));

    assertThat(answer.path("batchItemFailures")).as("dead-lettered records are done with").isEmpty();
    assertThat(genuine.get(30, TimeUnit.SECONDS)).isEqualTo(49L);
    assertThat(forgedMark).doesNotExist();
    assertThat(unsignedMark).doesNotExist();
    String deadLetters = transport.queueAddress(QueueOptions.deadLetterName(taskQueueName)).join();
    Await.until(PATIENCE, () -> transport.depth(deadLetters).join().total() == 2,
        () -> "both refused envelopes in the dead-letter queue");
    // Not answered at all: an answer on the reply queue they name would be unsigned or forged.
    assertThat(executor.invalidResultsDropped()).isZero();
  }

  @Test
  void aTaskDeliveredMoreThanTheMaxDeliveriesFailsAsPoisonWithoutRunningAndIsNotRetried() throws Exception {
    QueueExecutor executor = executor(transport, null);
    DataFlowKernel dfk = client(executor, "poison");
    Path mark = runDir.resolve("poison-ran");
    AppFuture<String> poison = dfk.call(WorkerFunctionApps.MARK, mark.toString());
    Await.until(PATIENCE, () -> executor.tasksSent() == 1, () -> "the task sent");
    ReceivedMessage message = receive(1).get(0);
    ReceivedMessage redelivered = new ReceivedMessage(message.id(), message.receipt(), message.body(), 3);

    JsonNode answer = invoke(handler(null, Duration.ofSeconds(30), Map.of(PoolSettings.WORKER_MAX_DELIVERIES, "2")),
        event(List.of(redelivered)));

    assertThat(answer.path("batchItemFailures")).isEmpty();
    assertThatThrownBy(() -> poison.get(30, TimeUnit.SECONDS)).hasMessageContaining("was delivered 3 times");
    assertThat(mark).doesNotExist();
  }

  @Test
  void anEventWithoutRecordsAnswersNoFailures() throws Exception {
    transport.createQueue(taskQueueName, QueueOptions.defaults()).join();
    JsonNode answer = invoke(handler(null, Duration.ofSeconds(5)), "{\"Records\":[]}");
    assertThat(answer.path("batchItemFailures").isArray()).isTrue();
    assertThat(answer.path("batchItemFailures")).isEmpty();
  }

  @Test
  void aBatchThatOutlivesTheQueuesVisibilityKeepsItsMessagesLeased() throws Exception {
    QueueExecutor executor = QueueExecutor.builder().transport(transport).taskQueue(taskQueueName)
        .taskQueueOptions(QueueOptions.defaults().withMaxReceiveCount(5).withVisibilityTimeout(Duration.ofSeconds(2)))
        .build();
    DataFlowKernel dfk = client(executor, "slow");
    AppFuture<Long> slow = dfk.call(WorkerFunctionApps.SLOW, 5_000L);
    List<ReceivedMessage> messages = receive(1);
    String queue = transport.queueAddress(taskQueueName).join();

    // A 5 s task on a queue whose lease is 2 s: renewed while it runs, no other consumer sees it.
    CompletableFuture<JsonNode> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return invoke(handler(null, Duration.ofSeconds(30), Map.of(PoolSettings.WORKER_LEASE, "PT2S")),
            event(messages));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<ReceivedMessage> seenMeanwhile = new ArrayList<>();
    while (!answer.isDone()) {
      seenMeanwhile.addAll(transport.receive(queue, 10, Duration.ofMillis(500)).join());
    }

    assertThat(seenMeanwhile).as("redelivered while the function still ran it").isEmpty();
    assertThat(answer.join().path("batchItemFailures")).isEmpty();
    assertThat(slow.get(30, TimeUnit.SECONDS)).isEqualTo(5_000L);
  }

  @Test
  void aLeaseThatIsNoDurationIsRefusedNamingTheVariable() {
    transport.createQueue(taskQueueName, QueueOptions.defaults()).join();
    assertThatThrownBy(() -> handler(null, Duration.ofSeconds(5), Map.of(PoolSettings.WORKER_LEASE, "60")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(PoolSettings.WORKER_LEASE);
  }

  // ---- helpers

  private QueueExecutor executor(Transport through, String key) {
    QueueExecutor.Builder builder = QueueExecutor.builder().transport(through).taskQueue(taskQueueName)
        .taskQueueOptions(QueueOptions.defaults().withMaxReceiveCount(5)).maxSendsInFlight(1);
    if (key != null) {
      builder.signingKey(key.getBytes(StandardCharsets.UTF_8));
    }
    return builder.build();
  }

  private DataFlowKernel client(QueueExecutor executor, String name) {
    DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir.resolve(name)).executor(executor).build();
    clients.add(dfk);
    return dfk;
  }

  private WorkerFunctionHandler handler(String key, Duration timeLimit) {
    return handler(key, timeLimit, Map.of());
  }

  private WorkerFunctionHandler handler(String key, Duration timeLimit, Map<String, String> more) {
    Map<String, String> env = new HashMap<>(Map.of(
        DispatcherSettings.TASK_QUEUE_URL, transport.queueAddress(taskQueueName).join(),
        PoolSettings.SLOTS_PER_WORKER, "2"));
    if (key != null) {
      env.put(EnvelopeSigner.KEY_ENV, key);
    }
    env.putAll(more);
    return new WorkerFunctionHandler(env, transport, timeLimit);
  }

  private static TaskEnvelope markTask(long id, String run, Path mark, String reply) {
    ArrayNode args = JsonNodeFactory.instance.arrayNode().add(mark.toString());
    return new TaskEnvelope(WireCodec.VERSION, id, run, WorkerFunctionApps.MARK.name(), args, 1, reply, null, null);
  }

  /** Receives this many messages from the task queue, as the event source mapping would. */
  private List<ReceivedMessage> receive(long count) {
    String queue = transport.queueAddress(taskQueueName).join();
    List<ReceivedMessage> messages = new ArrayList<>();
    Await.until(PATIENCE, () -> {
      messages.addAll(transport.receive(queue, 10, Duration.ofMillis(200)).join());
      return messages.size() >= count;
    }, () -> messages.size() + " of " + count + " messages received");
    assertThat(messages).hasSize((int) count);
    return messages;
  }

  /** The event Lambda delivers from an SQS event source mapping. */
  private static String event(List<ReceivedMessage> messages) throws Exception {
    ObjectNode event = JSON.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (ReceivedMessage message : messages) {
      ObjectNode record = records.addObject();
      record.put("messageId", message.id());
      record.put("receiptHandle", message.receipt());
      record.put("body", new String(message.body(), StandardCharsets.UTF_8));
      record.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(message.receiveCount()))
          .put("SentTimestamp", "1764096000000");
      record.putObject("messageAttributes");
      record.put("eventSource", "aws:sqs");
      record.put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:queue");
      record.put("awsRegion", "us-east-1");
    }
    return JSON.writeValueAsString(event);
  }

  /** One invocation of a fresh handler, as a cold container's first. */
  private static JsonNode invoke(WorkerFunctionHandler handler, String event) throws Exception {
    try (handler) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
      return JSON.readTree(out.toByteArray());
    }
  }
}
