package dev.shoal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppFutureTest {
  @TempDir Path runDir;

  private DataFlowKernel kernel() {
    return DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(2).build())
        .build();
  }

  @Test
  void onlyTheKernelCompletesAnAppFuture() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> future = dfk.call(TestApps.GATED, key, 7L);

      assertThatThrownBy(() -> future.complete(1L)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> future.completeExceptionally(new RuntimeException()))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> future.obtrudeValue(1L)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> future.obtrudeException(new RuntimeException()))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> future.completeAsync(() -> 1L)).isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> future.toCompletableFuture().complete(1L))
          .isInstanceOf(UnsupportedOperationException.class);

      TestApps.gate(key).countDown();
      assertThat(future.get(30, SECONDS)).isEqualTo(7L);
      assertThatThrownBy(() -> future.obtrudeValue(1L)).isInstanceOf(UnsupportedOperationException.class);
      assertThat(future.get(30, SECONDS)).isEqualTo(7L);
    }
  }

  @Test
  void derivedStagesArePlainFuturesThatWork() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> future = dfk.call(TestApps.INC, 1L);

      CompletableFuture<Long> times10 = future.thenApply(x -> x * 10);
      assertThat(times10).isNotInstanceOf(AppFuture.class);
      assertThat(times10.get(30, SECONDS)).isEqualTo(20L);

      CompletableFuture<Long> composed = future.thenCompose(x -> dfk.call(TestApps.ADD, x, 100L));
      assertThat(composed.get(30, SECONDS)).isEqualTo(102L);

      CompletableFuture<Long> copy = future.copy();
      assertThat(copy.get(30, SECONDS)).isEqualTo(2L);
      assertThat(copy.complete(5L)).isFalse(); // a copy may be completed, it is just already done

      String key = TestApps.key();
      AppFuture<Long> slow = dfk.call(TestApps.GATED, key, 1L);
      CompletableFuture<Long> withDefault = slow.copy().completeOnTimeout(-1L, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
      assertThat(withDefault.get(30, SECONDS)).isEqualTo(-1L);
      TestApps.gate(key).countDown();
      assertThat(slow.get(30, SECONDS)).isEqualTo(1L);
    }
  }

  @Test
  void orTimeoutFailsTheFutureTheUserHoldsAndLeavesItsTaskRunning() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> slow = dfk.call(TestApps.GATED, key, 5L);
      AppFuture<Long> dependent = dfk.call(TestApps.INC, slow);
      assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

      assertThat(slow.orTimeout(20, MILLISECONDS)).isSameAs(slow);

      Throwable error = catchThrowable(() -> slow.get(30, SECONDS));
      assertThat(error).isInstanceOf(ExecutionException.class);
      assertThat(error.getCause()).isInstanceOf(TimeoutException.class)
          .hasMessageContaining("task " + slow.taskId()).hasMessageContaining("test.gated");
      // Whoever took the future as an input sees what the future holds.
      assertThat(catchThrowable(() -> dependent.get(30, SECONDS)).getCause())
          .isInstanceOf(DependencyFailedException.class).hasCauseInstanceOf(TimeoutException.class);
      assertThat(slow.state()).as("the task is not cancelled").isEqualTo(TaskState.RUNNING);

      TestApps.gate(key).countDown();
      dfk.waitForCurrentTasks();
      assertThat(slow.state()).isEqualTo(TaskState.DONE);
      assertThat(TestApps.count(key + "/interrupted")).isZero();
      assertThat(catchThrowable(() -> slow.get(30, SECONDS))).hasCauseInstanceOf(TimeoutException.class);
    }
  }

  @Test
  void completeOnTimeoutGivesTheFutureAndItsDependentsTheDefault() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> slow = dfk.call(TestApps.GATED, key, 5L);
      AppFuture<Long> plusOne = dfk.call(TestApps.INC, slow);

      assertThat(slow.completeOnTimeout(-1L, 20, MILLISECONDS)).isSameAs(slow);

      assertThat(slow.get(30, SECONDS)).isEqualTo(-1L);
      assertThat(plusOne.get(30, SECONDS)).isZero();
      TestApps.gate(key).countDown();
      dfk.waitForCurrentTasks();
      assertThat(slow.state()).isEqualTo(TaskState.DONE);
      assertThat(slow.get(30, SECONDS)).isEqualTo(-1L);
    }
  }

  @Test
  void aTimeoutThatDoesNotFireChangesNothing() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> quick = dfk.call(TestApps.INC, 1L).orTimeout(30, SECONDS);
      AppFuture<Long> withDefault = dfk.call(TestApps.INC, 2L).completeOnTimeout(-1L, 30, SECONDS);

      assertThat(quick.get(30, SECONDS)).isEqualTo(2L);
      assertThat(withDefault.get(30, SECONDS)).isEqualTo(3L);
    }
  }

  @Test
  void aTimeoutOnOneFutureLeavesAnIdenticalMemoizedCallItsRealResult() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> first = dfk.call(TestApps.GATED_MEMO, key, 5L);
      AppFuture<Long> twin = dfk.call(TestApps.GATED_MEMO, key, 5L);

      first.completeOnTimeout(-1L, 20, MILLISECONDS);

      assertThat(first.get(30, SECONDS)).isEqualTo(-1L);
      assertThat(twin.isDone()).isFalse();
      TestApps.gate(key).countDown();
      assertThat(twin.get(30, SECONDS)).isEqualTo(5L);
      assertThat(twin.reused()).isTrue();
    }
  }

  @Test
  void taskIdsIncreaseAndDescribeTheTask() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> futures = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        futures.add(dfk.call(TestApps.INC, (long) i));
      }
      for (int i = 1; i < futures.size(); i++) {
        assertThat(futures.get(i).taskId()).isEqualTo(futures.get(i - 1).taskId() + 1);
      }
      AppFuture<Long> first = futures.get(0);
      assertThat(first.taskId()).isEqualTo(1);
      assertThat(first.appName()).isEqualTo("test.inc");
      assertThat(first.get(30, SECONDS)).isEqualTo(1L);
      assertThat(first.attempts()).isEqualTo(1);
      assertThat(first.reused()).isFalse();
      assertThat(first.toString()).contains("task 1").contains("test.inc").contains("DONE");
    }
  }

  @Test
  void stateMovesFromPendingToDone() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> gated = dfk.call(TestApps.GATED, key, 1L);
      AppFuture<Long> waiting = dfk.call(TestApps.INC, gated);
      assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();
      assertThat(gated.state()).isEqualTo(TaskState.RUNNING);
      assertThat(waiting.state()).isEqualTo(TaskState.PENDING);
      assertThat(waiting.isDone()).isFalse();
      TestApps.gate(key).countDown();
      assertThat(waiting.get(30, SECONDS)).isEqualTo(2L);
      assertThat(waiting.state()).isEqualTo(TaskState.DONE);
      assertThat(TaskState.DONE.isTerminal()).isTrue();
      assertThat(TaskState.RUNNING.isTerminal()).isFalse();
    }
  }
}
