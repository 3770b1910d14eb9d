package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.ShutdownMode;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.azure.servicebus.ServiceBusTransport;
import dev.shoal.azure.servicebus.ServiceBusTransportProvider;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.ForwardingTransport;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.Transport;
import dev.shoal.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The burst worker function's method in-process, fed as the Functions host feeds it: a batch of
 * messages received (peek-lock) from the fake Service Bus by a transport that plays the host's
 * receiver, their bodies and metadata arrays passed to {@link WorkerFunctions#work}, then the
 * batch completed when the method returns and abandoned when it throws ({@code
 * autoCompleteMessages}). The tasks come from a real client ({@link QueueExecutor} under a {@link
 * DataFlowKernel}) on the same namespace, which gets its answers through its reply queue.
 */
@Timeout(120)
class WorkerFunctionsOnFakeServiceBusTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String KEY = "the worker function's test key, long enough";
  private static final WireCodec WIRE = new WireCodec(JsonCodec.create());

  private static FakeServiceBus bus;
  /** The Functions host's receiver: receives the batches, completes or abandons them. */
  private static ServiceBusTransport host;
  /** The function's own transport, as its app builds one: results, split bundles. */
  private static Transport functionTransport;
  /** The client's. */
  private static Transport clientTransport;

  @TempDir
  Path runDir;

  private final String taskQueueName = "fn-tasks-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<DataFlowKernel> clients = new ArrayList<>();
  private final List<WorkerFunctions> functions = new ArrayList<>();

  @BeforeAll
  static void start() {
    bus = FakeServiceBus.start();
    host = (ServiceBusTransport) new ServiceBusTransportProvider().create(bus.transportSettings());
    functionTransport = new ServiceBusTransportProvider().create(bus.transportSettings());
    clientTransport = new ServiceBusTransportProvider().create(bus.transportSettings());
  }

  @AfterAll
  static void stop() {
    for (Transport transport : new Transport[] {clientTransport, functionTransport, host}) {
      if (transport != null) {
        transport.close();
      }
    }
    if (bus != null) {
      bus.close();
    }
  }

  @AfterEach
  void closeAll() {
    clients.forEach(dfk -> dfk.close(ShutdownMode.CANCEL));
    functions.forEach(WorkerFunctions::close);
  }

  @Test
  void aBundleOfSeveralTasksRunsEveryTaskGetsItsAnswerAndTheHostCompletesTheBatch() throws Exception {
    // The first send is held, so the tasks submitted meanwhile leave together in one bundle.
    CompletableFuture<Void> firstSendHeld = new CompletableFuture<>();
    Transport holding = new ForwardingTransport(clientTransport) {
      @Override
      public CompletableFuture<Void> send(String address, List<byte[]> bodies) {
        return firstSendHeld.thenCompose(open -> super.send(address, bodies));
      }
    };
    QueueExecutor executor = executor(holding, null);
    DataFlowKernel dfk = client(executor, "bundle");
    List<AppFuture<Long>> squares = new ArrayList<>();
    for (long i = 1; i <= 6; i++) {
      squares.add(dfk.call(WorkerFunctionTestApps.SQUARE, i));
    }
    firstSendHeld.complete(null);
    Await.until(PATIENCE, () -> executor.tasksSent() == 6, () -> "all tasks sent");
    List<ReceivedMessage> batch = receive(executor.messagesSent());
    assertThat(batch).as("some message is a bundle of several tasks")
        .anySatisfy(m -> assertThat(WIRE.decodeTasks(m.body(), 1 << 20).envelopes()).hasSizeGreaterThan(1));

    Delivery delivery = deliver(function(null, 2, Duration.ofSeconds(30)), batch);

    assertThat(delivery.completed()).as("the method returned: %s", delivery.lines()).isTrue();
    for (int i = 0; i < squares.size(); i++) {
      assertThat(squares.get(i).get(30, TimeUnit.SECONDS)).isEqualTo((long) (i + 1) * (i + 1));
    }
    String queue = queue();
    Await.until(PATIENCE, () -> host.depth(queue).join().equals(new QueueDepth(0, 0)),
        () -> "the task queue to empty: " + host.depth(queue).join());
  }

  @Test
  void aMessageWhoseResultCannotBePostedFailsTheInvocationSoTheHostAbandonsAndRedeliversTheWholeBatch()
      throws Exception {
    QueueExecutor gone = executor(clientTransport, null);
    DataFlowKernel goneClient = client(gone, "gone");
    QueueExecutor alive = executor(clientTransport, null);
    DataFlowKernel aliveClient = client(alive, "alive");
    goneClient.call(WorkerFunctionTestApps.SQUARE, 3L);
    Await.until(PATIENCE, () -> gone.tasksSent() == 1, () -> "the first task sent");
    AppFuture<Long> answered = aliveClient.call(WorkerFunctionTestApps.SQUARE, 4L);
    Await.until(PATIENCE, () -> alive.tasksSent() == 1, () -> "the second task sent");
    List<ReceivedMessage> batch = receive(2);
    clientTransport.deleteQueue(gone.replyQueue()).join();

    // Posting gives up after three quarters of the time limit.
    Delivery delivery = deliver(function(null, 2, Duration.ofSeconds(4)), batch);

    assertThat(delivery.completed()).as("the invocation failed").isFalse();
    assertThat(delivery.failure()).isInstanceOf(WorkerFunctions.BatchComesBack.class)
        .hasMessageContaining("1 message(s)");
    assertThat(answered.get(30, TimeUnit.SECONDS)).isEqualTo(16L);
    // Both come back, the one that was done too: a batch is settled whole.
    List<ReceivedMessage> again = receive(2);
    assertThat(again).extracting(ReceivedMessage::id)
        .containsExactlyInAnyOrderElementsOf(batch.stream().map(ReceivedMessage::id).toList());
    assertThat(again).allSatisfy(m -> assertThat(m.receiveCount()).isEqualTo(2));
    host.ack(queue(), again).join();
  }

  @Test
  void withAKeyForgedAndUnsignedEnvelopesAreNotRunNotAnsweredAndAreCompletedWithTheirBatch() throws Exception {
    QueueExecutor executor = executor(clientTransport, KEY);
    DataFlowKernel dfk = client(executor, "signed");
    AppFuture<Long> genuine = dfk.call(WorkerFunctionTestApps.SQUARE, 7L);
    Await.until(PATIENCE, () -> executor.tasksSent() == 1, () -> "the genuine task sent");
    Path forgedMark = runDir.resolve("forged-ran");
    Path unsignedMark = runDir.resolve("unsigned-ran");
    TaskEnvelope forged = EnvelopeSigner.fromSecret("not the real key, but long enough", WIRE)
        .sign(markTask(900, dfk.runId(), forgedMark, executor.replyQueue()));
    TaskEnvelope unsigned = markTask(901, dfk.runId(), unsignedMark, executor.replyQueue());
    clientTransport.send(executor.taskQueue(), List.of(WIRE.encodeTasks(List.of(forged)),
        WIRE.encodeTasks(List.of(unsigned)))).join();
    List<ReceivedMessage> batch = receive(3);

    Delivery delivery = deliver(function(KEY, 3, Duration.ofSeconds(30)), batch);

    assertThat(delivery.completed()).as("refused messages are done with: %s", delivery.lines()).isTrue();
    assertThat(delivery.lines()).anySatisfy(line -> assertThat(line).contains("2 refused"));
    assertThat(genuine.get(30, TimeUnit.SECONDS)).isEqualTo(49L);
    assertThat(forgedMark).doesNotExist();
    assertThat(unsignedMark).doesNotExist();
    // Not answered at all: an answer on the reply queue they name would be unsigned or forged.
    assertThat(executor.invalidResultsDropped()).isZero();
    // The limit of a Java function: the host holds the message, so it is completed, not dead-lettered.
    assertThat(host.deadLetterCount(queue()).join()).isZero();
  }

  @Test
  void aTaskDeliveredMoreThanTheMaxDeliveriesByTheTriggersCountFailsAsPoisonWithoutRunning() throws Exception {
    QueueExecutor executor = executor(clientTransport, null);
    DataFlowKernel dfk = client(executor, "poison");
    Path mark = runDir.resolve("poison-ran");
    AppFuture<String> poison = dfk.call(WorkerFunctionTestApps.MARK, mark.toString());
    Await.until(PATIENCE, () -> executor.tasksSent() == 1, () -> "the task sent");
    ReceivedMessage message = receive(1).get(0);
    // What DeliveryCountArray says of a message that twice killed the instance holding it.
    ReceivedMessage third = new ReceivedMessage(message.id(), message.receipt(), message.body(), 3);

    Delivery delivery = deliver(function(null, 2, Duration.ofSeconds(30)), List.of(third));

    assertThat(delivery.completed()).isTrue();
    assertThatThrownBy(() -> poison.get(30, TimeUnit.SECONDS)).hasMessageContaining("was delivered 3 times");
    assertThat(mark).doesNotExist();
  }

  @Test
  void theTriggersArraysBecomeMessagesWithTheirDeliveryCounts() {
    List<ReceivedMessage> messages = WorkerFunctions.messages(new String[] {"{}", "[]"}, new long[] {7, 8},
        new int[] {1, 4}, new String[] {"lock-7", "lock-8"});
    assertThat(messages).extracting(ReceivedMessage::id).containsExactly("7", "8");
    assertThat(messages).extracting(ReceivedMessage::receipt).containsExactly("lock-7", "lock-8");
    assertThat(messages).extracting(ReceivedMessage::receiveCount).containsExactly(1, 4);
    assertThat(new String(messages.get(1).body(), StandardCharsets.UTF_8)).isEqualTo("[]");
    // Metadata missing: a first delivery each, rather than a batch that cannot run.
    assertThat(WorkerFunctions.messages(new String[] {"{}"}, null, null, null))
        .singleElement().satisfies(m -> assertThat(m.receiveCount()).isEqualTo(1));
    assertThat(WorkerFunctions.messages(null, null, null, null)).isEmpty();
  }

  // ---- helpers

  /** What the host made of an invocation. */
  private record Delivery(boolean completed, RuntimeException failure, List<String> lines) {}

  /**
   * One invocation, settled as the host settles it: the whole batch completed when the method
   * returns, abandoned when it throws.
   */
  private Delivery deliver(WorkerFunctions function, List<ReceivedMessage> batch) {
    String[] bodies = batch.stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toArray(String[]::new);
    long[] sequenceNumbers = batch.stream().mapToLong(m -> Long.parseLong(m.id())).toArray();
    int[] deliveryCounts = batch.stream().mapToInt(ReceivedMessage::receiveCount).toArray();
    String[] lockTokens = batch.stream().map(ReceivedMessage::receipt).toArray(String[]::new);
    FunctionsInvocation context = new FunctionsInvocation(WorkerFunctions.WORK);
    try {
      function.work(bodies, sequenceNumbers, deliveryCounts, lockTokens, context);
    } catch (RuntimeException e) {
      host.extendLease(queue(), batch, Duration.ZERO).join();
      return new Delivery(false, e, context.lines());
    }
    host.ack(queue(), batch).join();
    return new Delivery(true, null, context.lines());
  }

  private WorkerFunctions function(String key, int maxDeliveries, Duration timeLimit) {
    WorkerFunctionSettings settings = new WorkerFunctionSettings(queue(), taskQueueName, bus.transportSettings(), 2,
        maxDeliveries, null, timeLimit);
    WorkerFunctions function = new WorkerFunctions(settings, key, functionTransport);
    functions.add(function);
    return function;
  }

  private QueueExecutor executor(Transport through, String key) {
    QueueExecutor.Builder builder = QueueExecutor.builder().transport(through).taskQueue(taskQueueName)
        .taskQueueOptions(QueueOptions.defaults().withMaxReceiveCount(5).withVisibilityTimeout(Duration.ofSeconds(30)))
        .maxSendsInFlight(1);
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

  private String queue() {
    return host.queueAddress(taskQueueName).join();
  }

  private static TaskEnvelope markTask(long id, String run, Path mark, String reply) {
    ArrayNode args = JsonNodeFactory.instance.arrayNode().add(mark.toString());
    return new TaskEnvelope(WireCodec.VERSION, id, run, WorkerFunctionTestApps.MARK.name(), args, 1, reply, null, null);
  }

  /** Receives this many messages from the task queue, as the host's receiver would. */
  private List<ReceivedMessage> receive(long count) {
    String queue = queue();
    List<ReceivedMessage> messages = new ArrayList<>();
    Await.until(PATIENCE, () -> {
      messages.addAll(host.receive(queue, 10, Duration.ofMillis(500)).join());
      return messages.size() >= count;
    }, () -> messages.size() + " of " + count + " messages received");
    assertThat(messages).hasSize((int) count);
    return messages;
  }
}
