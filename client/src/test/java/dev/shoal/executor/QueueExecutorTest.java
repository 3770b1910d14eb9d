package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.TaskState;
import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.internal.wire.WireCodec;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.InMemoryTransport;
import java.nio.file.Path;
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
  void aSecondBuildOfOneBuilderGivesAnIndependentExecutor() {
    QueueExecutor.Builder builder = QueueExecutor.builder().transport(memory).taskQueue(tasks).label("a");
    QueueExecutor first = builder.build();
    QueueExecutor second = builder.build();
    assertThat(first).isNotSameAs(second);
    assertThat(first.label()).isEqualTo(second.label());
  }
}
