package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.executor.WorkerFailureException;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.Await;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults with real parts: worker JVMs killed with SIGKILL, a task that kills every worker that runs
 * it, and garbage or forged messages on the task queue.
 */
class QueueExecutorFaultTest {
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final String KEY = "fault-test-signing-key-0123456789";

  @TempDir
  Path runDir;

  private EmbeddedSqsServer server;
  private SqsTransport transport;
  private LocalProcessProvider workers;
  private QueueExecutor executor;
  private DataFlowKernel dfk;
  private String taskQueueName;

  @BeforeEach
  void startServer() {
    server = EmbeddedSqsServer.start();
    taskQueueName = "faults-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The test composes its own stack (short polls, its own grace), so it closes it in order too. */
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
    server.close();
  }

  private Map<String, String> settings() {
    return Map.of(SqsClients.ENDPOINT, server.endpoint().toString(), SqsClients.REGION, "us-east-1",
        SqsClients.CREDENTIALS, "static");
  }

  private void start(int workerCount, int maxDeliveries, Consumer<QueueExecutor.Builder> extra,
      Consumer<LocalProcessProvider.Builder> workerExtra) {
    transport = SqsClients.transport(settings());
    // Short polls: a killed worker's last poll may still take a message at the server (it is
    // redelivered after its lease); with 1 s polls such orphaned polls end quickly.
    WorkerOptions options = WorkerOptions.of("sqs", settings(), taskQueueName).withSlots(1)
        .withIdleTimeout(Duration.ZERO).withLease(LEASE).withMaxDeliveries(maxDeliveries)
        .withReceiveWait(Duration.ofSeconds(1));
    LocalProcessProvider.Builder workerBuilder = LocalProcessProvider.builder().options(options)
        .logDir(runDir.resolve("workers")).stopGrace(Duration.ofSeconds(10));
    workerExtra.accept(workerBuilder);
    workers = workerBuilder.build();
    QueueExecutor.Builder builder = QueueExecutor.builder()
        .transport(transport)
        .taskQueue(taskQueueName)
        .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(LEASE).withMaxReceiveCount(maxDeliveries + 2))
        .taskTimeout(Duration.ofSeconds(90));
    extra.accept(builder);
    executor = builder.build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build();
    workers.launch(workerCount); // the task queue exists once the kernel has started the executor
  }

  private QueueDepth deadLetterDepth() {
    String dlq = transport.queueAddress(QueueOptions.deadLetterName(taskQueueName)).join();
    return transport.depth(dlq).join();
  }

  private void awaitDeadLetters(long count) {
    Await.until(Duration.ofSeconds(60), () -> deadLetterDepth().total() >= count,
        () -> count + " dead letters (there are " + deadLetterDepth().total() + ")");
  }

  @Test
  void everyTaskCompletesOnceWhenAWorkerIsKilledWhileHoldingTasks() throws Exception {
    start(2, 3, builder -> builder.maxTasksPerMessage(3), builder -> {});
    List<AppFuture<Long>> sleeps = new ArrayList<>();
    for (long i = 0; i < 24; i++) {
      sleeps.add(dfk.call(EndToEndApps.SLEEP, 200 + i));
    }
    // Wait until both workers are busy, then kill one the hard way.
    Await.until(Duration.ofSeconds(60), () -> sleeps.stream().filter(AppFuture::isDone).count() >= 4,
        () -> "4 of the 24 tasks to complete");
    List<WorkerInstance> alive = workers.list();
    assertThat(alive).hasSize(2);
    ProcessHandle victim = workers.process(alive.get(0).id()).orElseThrow();
    victim.destroyForcibly();
    victim.onExit().get(10, TimeUnit.SECONDS);

    for (int i = 0; i < sleeps.size(); i++) {
      assertThat(sleeps.get(i).get(90, TimeUnit.SECONDS)).isEqualTo(200L + i);
    }
    assertThat(dfk.stats().succeeded()).isEqualTo(24);
    assertThat(dfk.stats().failed()).isZero();
    assertThat(workers.list()).hasSize(1);
  }

  @Test
  void aTaskThatAlwaysKillsItsWorkerIsDeadLetteredAndItsFutureSaysSo() throws Exception {
    // Up to maxDeliveries runs each kill a worker, so one more worker than that survives.
    start(3, 2, builder -> {}, builder -> {});

    AppFuture<Long> crash = dfk.call(EndToEndApps.CRASH, 137L);

    assertThatThrownBy(() -> crash.get(90, TimeUnit.SECONDS))
        .cause().isInstanceOf(WorkerFailureException.class)
        .hasMessageContaining("dead-letter");
    awaitDeadLetters(1);
    assertThat(deadLetterDepth().total()).isEqualTo(1);
    assertThat(workers.list()).isNotEmpty();
    // No wait for the polls the killed workers left open at the server: the crash was dead-lettered
    // on its third delivery, one lease (2 s) after the second worker took it and died, and polls are
    // shorter (1 s), so none is left. (One left would take SQUARE once; the survivor's delivery would
    // then be its second, still within maxDeliveries.)
    assertThat(dfk.call(EndToEndApps.SQUARE, 12L).get(60, TimeUnit.SECONDS)).isEqualTo(144L);
  }

  @Test
  void garbageAndForgedMessagesAreDeadLetteredWhileTasksGoOn() throws Exception {
    start(1, 3, builder -> builder.signingKey(KEY.getBytes(StandardCharsets.UTF_8)),
        builder -> builder.environment(EnvelopeSigner.KEY_ENV, KEY));
    assertThat(dfk.call(EndToEndApps.SQUARE, 3L).get(60, TimeUnit.SECONDS)).isEqualTo(9L);

    WireCodec wire = new WireCodec(JsonCodec.create());
    TaskEnvelope forged = EnvelopeSigner.fromSecret("not-the-real-key-but-long-enough", wire)
        .sign(new TaskEnvelope(WireCodec.VERSION, 424242, "run-forged", "e2e.square",
            JsonNodeFactory.instance.arrayNode().add(5), 1, executor.replyQueue(), null, null));
    TaskEnvelope unsigned = new TaskEnvelope(WireCodec.VERSION, 434343, "run-forged", "e2e.square",
        JsonNodeFactory.instance.arrayNode().add(6), 1, executor.replyQueue(), null, null);
    transport.send(executor.taskQueue(), List.of(
        "{this is not json".getBytes(StandardCharsets.UTF_8),
        "{\"v\":99,\"kind\":\"tasks\",\"tasks\":[]}".getBytes(StandardCharsets.UTF_8),
        wire.encodeTasks(List.of(forged)),
        wire.encodeTasks(List.of(unsigned)))).join();

    awaitDeadLetters(4);
    assertThat(deadLetterDepth().total()).isEqualTo(4);
    assertThat(dfk.call(EndToEndApps.SQUARE, 4L).get(60, TimeUnit.SECONDS)).isEqualTo(16L);
    assertThat(workers.list()).hasSize(1);
  }
}
