package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.command.Command;
import dev.shoal.command.CommandResult;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.app.Builtins;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.RemoteError;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.Await;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing with real worker JVMs on ElasticMQ: nothing that cannot be verified produces a result the
 * client believes, and the local cluster's one setting configures the client and its workers alike.
 */
class SigningEndToEndTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String KEY = "signing-test-key-0123456789abcdef";

  @TempDir
  Path runDir;

  private final WireCodec wire = new WireCodec(JsonCodec.create());
  private final String taskQueue = "signing-" + UUID.randomUUID().toString().substring(0, 8);
  private EmbeddedSqsServer server;
  private SqsTransport transport;
  private LocalProcessProvider workers;
  private DataFlowKernel dfk;

  @AfterEach
  void stopEverything() {
    if (dfk != null) {
      dfk.close();
    }
    if (workers != null) {
      workers.close();
    }
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static Map<String, String> settings(String endpoint) {
    return Map.of(SqsClients.ENDPOINT, endpoint, SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static");
  }

  /**
   * A client and one worker of two slots sharing {@link #KEY}, composed by hand: the second slot is
   * free while the first runs a gated task, so a forged envelope is looked at at once.
   */
  private QueueExecutor startSignedStack() {
    server = EmbeddedSqsServer.start();
    Map<String, String> settings = settings(server.endpoint().toString());
    transport = SqsClients.transport(settings);
    workers = LocalProcessProvider.builder()
        .options(WorkerOptions.of("sqs", settings, taskQueue).withSlots(2).withIdleTimeout(Duration.ZERO)
            .withReceiveWait(Duration.ofSeconds(1)).withSigningKeyEnv(EnvelopeSigner.KEY_ENV))
        .environment(EnvelopeSigner.KEY_ENV, KEY)
        .logDir(runDir.resolve("workers"))
        .stopGrace(Duration.ofSeconds(10))
        .build();
    QueueExecutor executor = QueueExecutor.builder()
        .transport(transport)
        .taskQueue(taskQueue)
        .taskQueueOptions(QueueOptions.defaults().withMaxReceiveCount(5))
        .signingKey(KEY.getBytes(StandardCharsets.UTF_8))
        .build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build();
    workers.launch(1);
    return executor;
  }

  /** A shell task that says it started, then runs until the test creates its gate file. */
  private AppFuture<CommandResult> gatedTask(Path started, Path gate) {
    return dfk.call(EndToEndApps.SHELL, "touch '" + started + "'; while [ ! -e '" + gate + "' ]; do sleep 0.05; done;"
        + " echo real");
  }

  /** Dead letters of the task queue of this name. */
  private static long deadLetters(SqsTransport on, String taskQueue) {
    String dlq = on.queueAddress(QueueOptions.deadLetterName(taskQueue)).join();
    return on.depth(dlq).join().total();
  }

  @Test
  void aForgedTaskNamingALiveTaskIsDeadLetteredUnansweredAndTheTaskGetsItsRealResult() throws Exception {
    QueueExecutor executor = startSignedStack();
    Path started = runDir.resolve("started");
    Path gate = runDir.resolve("gate");
    AppFuture<CommandResult> live = gatedTask(started, gate);
    Await.until(PATIENCE, () -> Files.exists(started), () -> "the gated task to start");

    // Everything a forger can read off the queues: the live task's id, run, attempt and reply queue.
    TaskEnvelope forged = EnvelopeSigner.fromSecret("not-the-real-key-but-long-enough", wire)
        .sign(new TaskEnvelope(WireCodec.VERSION, live.taskId(), dfk.runId(), EndToEndApps.SQUARE.name(),
            JsonNodeFactory.instance.arrayNode().add(5), 1, executor.replyQueue(), null, null));
    TaskEnvelope unsigned = forged.withSig(null);
    transport.send(executor.taskQueue(), List.of(wire.encodeTasks(List.of(forged)),
        wire.encodeTasks(List.of(unsigned)))).join();
    Await.until(PATIENCE, () -> deadLetters(transport, taskQueue) == 2,
        () -> "both forged envelopes to be dead-lettered");
    Files.createFile(gate);

    CommandResult result = live.get(60, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).contains("real");
    assertThat(dfk.stats().failed()).isZero();
    // Not answered at all: had the worker answered, it would have signed the answer.
    assertThat(executor.invalidResultsDropped()).isZero();
  }

  @Test
  void aForgedResultPostedToTheReplyQueueDoesNotCompleteATask() throws Exception {
    QueueExecutor executor = startSignedStack();
    Path started = runDir.resolve("started");
    Path gate = runDir.resolve("gate");
    AppFuture<CommandResult> live = gatedTask(started, gate);
    Await.until(PATIENCE, () -> Files.exists(started), () -> "the gated task to start");

    Instant now = Instant.now();
    ResultEnvelope failure = new ResultEnvelope(WireCodec.VERSION, live.taskId(), dfk.runId(), 1,
        ResultEnvelope.Status.WORKER_ERROR, null, RemoteError.of("shoal.worker.Forged", "forged failure"), "forger",
        now, null, null);
    CommandResult fake = new CommandResult(0, "/tmp", "/tmp/out", "/tmp/err", "forged", Duration.ZERO);
    ResultEnvelope success = EnvelopeSigner.fromSecret("not-the-real-key-but-long-enough", wire)
        .sign(new ResultEnvelope(WireCodec.VERSION, live.taskId(), dfk.runId(), 1, ResultEnvelope.Status.OK,
            wire.json().toTree(fake), null, "forger", now, now, now));
    transport.send(executor.replyQueue(), List.of(wire.encodeResults(List.of(failure)),
        wire.encodeResults(List.of(success)))).join();
    Await.until(PATIENCE, () -> executor.invalidResultsDropped() == 2,
        () -> "the client to drop both forged results (dropped " + executor.invalidResultsDropped() + ")");
    // Read and acknowledged, and the task still waits.
    Await.until(PATIENCE, () -> transport.depth(executor.replyQueue()).join().total() == 0,
        () -> "the client to acknowledge the forged results");
    assertThat(live).isNotDone();
    Files.createFile(gate);

    CommandResult result = live.get(60, TimeUnit.SECONDS);
    assertThat(result.stdout()).contains("real");
    assertThat(dfk.stats().failed()).isZero();
    assertThat(executor.invalidResultsDropped()).isEqualTo(2);
  }

  /** A command task as anyone with access to the queue could send it: it creates {@code marker}. */
  private TaskEnvelope injectedCommand(long id, String run, String reply, Path marker) {
    JsonNode args = JsonNodeFactory.instance.arrayNode()
        .add(wire.json().toTree(Command.shell("touch '" + marker + "'")));
    return new TaskEnvelope(WireCodec.VERSION, id, run, Builtins.COMMAND, args, 1, reply, null, null);
  }

  private static SqsTransport transportTo(LocalCluster cluster) {
    return SqsClients.transport(settings(cluster.endpoint().toString()));
  }

  /** The reasons given for the dead letters of the task queue of this name (read once: reading hides them). */
  private static List<String> deadLetterReasons(SqsTransport on, String taskQueue) {
    String dlq = on.queueAddress(QueueOptions.deadLetterName(taskQueue)).join();
    return on.client().receiveMessage(b -> b.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(1)
            .messageAttributeNames(SqsTransport.REASON_ATTRIBUTE)).join()
        .messages().stream().map(m -> m.messageAttributes().get(SqsTransport.REASON_ATTRIBUTE).stringValue())
        .toList();
  }

  @Test
  void theDefaultLocalClusterSignsAndItsWorkersDoNotRunAnUnsignedTask() throws Exception {
    LocalCluster cluster = LocalCluster.builder().workers(1).taskQueue(taskQueue)
        .logDir(runDir.resolve("workers")).build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build();
    transport = transportTo(cluster);
    QueueExecutor executor = cluster.executor();
    assertThat(dfk.call(EndToEndApps.SQUARE, 3L).get(60, TimeUnit.SECONDS)).isEqualTo(9L);

    Path marker = runDir.resolve("injected-ran");
    transport.send(executor.taskQueue(), List.of(wire.encodeTasks(List.of(
        injectedCommand(777_777, dfk.runId(), executor.replyQueue(), marker))))).join();
    Await.until(PATIENCE, () -> deadLetters(transport, taskQueue) == 1,
        () -> "the unsigned task to be dead-lettered");

    assertThat(marker).doesNotExist();
    assertThat(deadLetterReasons(transport, taskQueue)).singleElement().asString()
        .contains("task 777777 is not signed");
    assertThat(dfk.call(EndToEndApps.SQUARE, 4L).get(60, TimeUnit.SECONDS)).isEqualTo(16L);
    assertThat(executor.signing()).isTrue();
  }

  @Test
  void aChosenKeyConfiguresTheExecutorAndItsWorkers() throws Exception {
    LocalCluster cluster = LocalCluster.builder().workers(1).taskQueue(taskQueue).signingKey(KEY)
        .logDir(runDir.resolve("workers")).build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build();
    transport = transportTo(cluster);
    QueueExecutor executor = cluster.executor();
    assertThat(dfk.call(EndToEndApps.SQUARE, 5L).get(60, TimeUnit.SECONDS)).isEqualTo(25L);

    Path signedMarker = runDir.resolve("signed-ran");
    Path otherMarker = runDir.resolve("other-key-ran");
    EnvelopeSigner chosen = EnvelopeSigner.fromSecret(KEY, wire);
    EnvelopeSigner other = EnvelopeSigner.fromSecret("another-key-0123456789abcdef", wire);
    transport.send(executor.taskQueue(), List.of(
        wire.encodeTasks(List.of(other.sign(injectedCommand(888_001, dfk.runId(), executor.replyQueue(), otherMarker)))),
        wire.encodeTasks(List.of(chosen.sign(injectedCommand(888_002, dfk.runId(), executor.replyQueue(),
            signedMarker)))))).join();

    Await.until(PATIENCE, () -> Files.exists(signedMarker), () -> "the task signed with the chosen key to run");
    Await.until(PATIENCE, () -> deadLetters(transport, taskQueue) == 1,
        () -> "the task signed with another key to be dead-lettered");
    assertThat(otherMarker).doesNotExist();
    assertThat(deadLetterReasons(transport, taskQueue)).singleElement().asString()
        .contains("task 888001 has a signature that does not match");
  }

  @Test
  void signingTurnedOffLetsTheWorkersRunUnsignedTasks() throws Exception {
    assumeTrue(System.getenv(EnvelopeSigner.KEY_ENV) == null, "the environment sets a signing key for both sides");
    LocalCluster cluster = LocalCluster.builder().workers(1).taskQueue(taskQueue).signing(false)
        .logDir(runDir.resolve("workers")).build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build();
    transport = transportTo(cluster);
    QueueExecutor executor = cluster.executor();
    assertThat(executor.signing()).isFalse();
    assertThat(dfk.call(EndToEndApps.SQUARE, 6L).get(60, TimeUnit.SECONDS)).isEqualTo(36L);

    Path marker = runDir.resolve("unsigned-ran");
    transport.send(executor.taskQueue(), List.of(wire.encodeTasks(List.of(
        injectedCommand(999_999, dfk.runId(), executor.replyQueue(), marker))))).join();

    Await.until(PATIENCE, () -> Files.exists(marker), () -> "the unsigned task to run");
  }
}
