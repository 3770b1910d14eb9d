package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.TaskState;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.internal.wire.ResultEnvelope;
import dev.shoal.internal.wire.TaskEnvelope;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.testing.Await;
import dev.shoal.testing.InMemoryTransport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue executor's own behaviour, on the in-memory transport with a scripted far side. */
class QueueExecutorTest {
  static final App1<Long, Long> DOUBLE = Apps.define("queue-unit.double").java(Long.class, Long.class, x -> 2 * x);

  @TempDir Path runDir;
  private final InMemoryTransport memory = new InMemoryTransport();
  private final WireCodec codec = new WireCodec(JsonCodec.create());
  private final String tasks = memory.createQueue("tasks",
      QueueOptions.defaults().withVisibilityTimeout(java.time.Duration.ofSeconds(1))).join();

  @AfterEach
  void stop() {
    memory.close();
  }

  private DataFlowKernel kernel() {
    return DataFlowKernel.builder().runDir(runDir)
        .executor(QueueExecutor.builder().transport(memory).taskQueue(tasks).build())
        .build();
  }

  private ScriptedWorker doubling() {
    return new ScriptedWorker(memory, tasks, codec, task -> codec.json().toTree(2 * task.args().get(0).asLong()));
  }

  @Test
  void aSlowCallbackOnOneFutureDoesNotHoldUpTheResultsOfOthers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch callbackRunning = new CountDownLatch(1);
    try (DataFlowKernel dfk = kernel(); ScriptedWorker worker = doubling()) {
      AppFuture<Long> slow = dfk.call(DOUBLE, 1L);
      slow.thenRun(() -> {
        callbackRunning.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      assertThat(callbackRunning.await(10, TimeUnit.SECONDS)).isTrue();

      // The reply thread is free while that callback blocks: later results still complete.
      AppFuture<Long> next = dfk.call(DOUBLE, 21L);
      assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(42L);
      release.countDown();
      assertThat(slow.join()).isEqualTo(2L);
    }
  }

  static final App1<Long, Long> NEEDS_A_VM = Apps.define("queue-unit.gpu").runsInFunctions(false)
      .java(Long.class, Long.class, x -> x);
  static final App1<Long, Long> LONG = Apps.define("queue-unit.long").walltime(Duration.ofHours(1))
      .java(Long.class, Long.class, x -> x);
  static final App1<String, dev.shoal.command.CommandResult> COUNT_LINES = Apps.define("queue-unit.wc")
      .command(String.class, file -> dev.shoal.command.Command.of("wc", "-l", file));

  @Test
  void tasksThatMayNotRunInAFunctionGoToTheVmOnlyQueueAndTheRestToTheTaskQueue() throws Exception {
    QueueExecutor executor = QueueExecutor.builder().transport(memory).taskQueue(tasks).vmQueue("tasks-vm")
        .functionTimeLimit(Duration.ofMinutes(15)).build();
    DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build();
    try {
      AppFuture<Long> doubled = dfk.call(DOUBLE, 4L);
      dfk.call(NEEDS_A_VM, 1L);
      dfk.call(LONG, 2L);
      dfk.call(COUNT_LINES, "data.txt");
      String vm = executor.vmQueue();
      assertThat(vm).isEqualTo(memory.queueAddress("tasks-vm").join());

      // A command travels as the command runner's task: the worker needs none of the app's code.
      assertThat(apps(vm, 3)).containsExactlyInAnyOrder("queue-unit.gpu", "queue-unit.long", "shoal.command");
      try (ScriptedWorker worker = doubling()) {
        assertThat(doubled.get(10, TimeUnit.SECONDS)).isEqualTo(8L);
      }
      assertThat(executor.tasksSent()).isEqualTo(4);
    } finally {
      // The VM-only tasks were taken off their queue and never answered.
      dfk.close(dev.shoal.ShutdownMode.CANCEL);
    }
  }

  @Test
  void withoutAVmOnlyQueueEveryTaskGoesToTheTaskQueue() throws Exception {
    DataFlowKernel dfk = kernel();
    try {
      dfk.call(DOUBLE, 4L);
      dfk.call(COUNT_LINES, "data.txt");
      assertThat(apps(tasks, 2)).containsExactlyInAnyOrder("queue-unit.double", "shoal.command");
    } finally {
      dfk.close(dev.shoal.ShutdownMode.CANCEL);
    }
  }

  /** The apps of the next {@code count} tasks on a queue, taken off it. */
  private List<String> apps(String queue, int count) {
    List<String> apps = new java.util.ArrayList<>();
    Await.until(Duration.ofSeconds(10), () -> {
      for (ReceivedMessage message : memory.receive(queue, 10, Duration.ofMillis(100)).join()) {
        codec.decodeTasks(message.body(), Integer.MAX_VALUE).envelopes().forEach(task -> apps.add(task.app()));
        memory.ack(queue, List.of(message)).join();
      }
      return apps.size() >= count;
    }, () -> apps + " of " + count + " tasks");
    return apps;
  }

  @Test
  void aRemoteTaskShowsLaunchedUntilItsResultArrives() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> future = dfk.call(DOUBLE, 5L);
      // Nothing answers yet: the task is out, not known to run.
      assertThat(memory.receive(tasks, 1, java.time.Duration.ofSeconds(5)).join()).hasSize(1);
      assertThat(future.state()).isEqualTo(TaskState.LAUNCHED);

      try (ScriptedWorker worker = doubling()) {
        // The message taken above comes back once its lease runs out; answer it then.
        assertThat(future.get(60, TimeUnit.SECONDS)).isEqualTo(10L);
      }
      assertThat(future.state()).isEqualTo(TaskState.DONE);
    }
  }

  @Test
  void withAKeyOnlyAResultSignedWithItCompletesATask() throws Exception {
    String key = "the executor's signing key";
    EnvelopeSigner signer = EnvelopeSigner.fromSecret(key, codec);
    QueueExecutor executor = QueueExecutor.builder().transport(memory).taskQueue(tasks)
        .signingKey(key.getBytes(StandardCharsets.UTF_8)).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build()) {
      AppFuture<Long> future = dfk.call(DOUBLE, 5L);
      // What anyone who can read the task queue learns: the task's id, run, attempt and reply queue.
      ReceivedMessage taken = memory.receive(tasks, 1, Duration.ofSeconds(5)).join().get(0);
      TaskEnvelope task = codec.decodeTasks(taken.body(), Integer.MAX_VALUE, signer).envelopes().get(0);
      memory.extendLease(tasks, List.of(taken), Duration.ZERO).join();
      Instant now = Instant.now();
      ResultEnvelope forged = new ResultEnvelope(WireCodec.VERSION, task.id(), task.run(), task.attempt(),
          ResultEnvelope.Status.OK, codec.json().toTree(666L), null, "forger", now, now, now);
      memory.send(task.reply(), List.of(codec.encodeResults(List.of(forged)),
          codec.encodeResults(List.of(EnvelopeSigner.fromSecret("a key of somebody else", codec).sign(forged))))).join();

      Await.until(Duration.ofSeconds(10), () -> executor.invalidResultsDropped() == 2,
          () -> "both forged results to be dropped");
      assertThat(future).isNotDone();
      try (ScriptedWorker worker = new ScriptedWorker(memory, tasks, codec, signer,
          t -> codec.json().toTree(2 * t.args().get(0).asLong()))) {
        assertThat(future.get(10, TimeUnit.SECONDS)).isEqualTo(10L);
      }
      assertThat(executor.invalidResultsDropped()).isEqualTo(2);
    }
  }

  @Test
  void aSecondBuildOfOneBuilderGivesAnIndependentExecutor() {
    QueueExecutor.Builder builder = QueueExecutor.builder().transport(memory).taskQueue(tasks).label("a");
    QueueExecutor first = builder.build();
    QueueExecutor second = builder.build();
    assertThat(first).isNotSameAs(second);
    assertThat(first.label()).isEqualTo(second.label());
  }
}
