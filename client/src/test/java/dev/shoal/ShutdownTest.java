package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShutdownTest {
  @TempDir Path runDir;

  private DataFlowKernel.Builder kernel(int threads) {
    return DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(threads).build());
  }

  @Test
  void closeWaitsForRunningAndPendingTasks() throws Exception {
    String key = TestApps.key();
    DataFlowKernel dfk = kernel(2).build();
    AppFuture<Long> running = dfk.call(TestApps.GATED, key, 10L);
    List<AppFuture<Long>> pending = new ArrayList<>();
    AppFuture<Long> last = running;
    for (int i = 0; i < 20; i++) {
      last = dfk.call(TestApps.INC, last);
      pending.add(last);
    }
    AppFuture<Long> total = dfk.call(TestApps.SUM, Arg.all(pending));
    assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

    AtomicReference<Throwable> closeError = new AtomicReference<>();
    Thread closer = new Thread(() -> {
      try {
        dfk.close();
      } catch (Throwable e) {
        closeError.set(e);
      }
    });
    closer.start();
    closer.join(200);
    assertThat(closer.isAlive()).as("close() returned while a task was still running").isTrue();

    TestApps.gate(key).countDown();
    closer.join(30_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(closeError.get()).isNull();

    // Everything finished before close() returned: no waiting here.
    assertThat(running.isDone()).isTrue();
    assertThat(pending).allMatch(AppFuture::isDone);
    assertThat(total.isDone()).isTrue();
    assertThat(last.getNow(-1L)).isEqualTo(30L);
    assertThat(total.getNow(-1L)).isEqualTo((11L + 30L) * 20 / 2);
    assertThat(dfk.stats().succeeded()).isEqualTo(22);
  }

  @Test
  void callsAfterCloseAreRefused() {
    DataFlowKernel dfk = kernel(1).build();
    dfk.close();
    assertThatThrownBy(() -> dfk.call(TestApps.INC, 1L))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    dfk.close(); // a second close is harmless
    assertThat(dfk.stats().submitted()).isZero();
  }

  @Test
  void cancelModeInterruptsRunningTasksAndCancelsThoseNotStarted() throws Exception {
    String sleeperKey = TestApps.key();
    String queuedKey = TestApps.key();
    DataFlowKernel dfk = kernel(1).shutdownMode(ShutdownMode.CANCEL).build();
    AppFuture<Long> sleeper = dfk.call(TestApps.GATED, sleeperKey, 1L); // its gate is never opened
    AppFuture<Long> afterSleeper = dfk.call(TestApps.INC, sleeper);
    List<AppFuture<Long>> queued = new ArrayList<>();
    for (long i = 0; i < 5; i++) {
      queued.add(dfk.call(TestApps.COUNTED_SQUARE_NO_MEMO, queuedKey, i));
    }
    AppFuture<Long> afterQueued = dfk.call(TestApps.INC, queued.get(0));
    assertThat(TestApps.gate(sleeperKey + "/started").await(30, SECONDS)).isTrue();

    dfk.close(); // must not wait for the sleeper's gate

    assertThat(sleeper.isDone()).isTrue();
    assertThat(TestApps.count(sleeperKey + "/interrupted")).isEqualTo(1);
    assertThat(catchThrowable(sleeper::get)).hasCauseInstanceOf(InterruptedException.class);
    assertThat(sleeper.state()).isEqualTo(TaskState.FAILED);

    for (AppFuture<Long> task : queued) {
      assertThat(task.isDone()).isTrue();
      assertThat(task.isCancelled()).isTrue();
      assertThat(catchThrowable(task::get)).isInstanceOf(CancellationException.class);
      assertThat(task.state()).isEqualTo(TaskState.FAILED);
    }
    assertThat(TestApps.count(queuedKey)).as("queued apps never ran").isZero();

    for (AppFuture<Long> dependent : List.of(afterSleeper, afterQueued)) {
      assertThat(dependent.isDone()).isTrue();
      assertThat(catchThrowable(dependent::get)).hasCauseInstanceOf(DependencyFailedException.class);
      assertThat(dependent.state()).isEqualTo(TaskState.DEP_FAILED);
    }
    RunStats stats = dfk.stats();
    assertThat(stats.failed()).isEqualTo(6);
    assertThat(stats.dependencyFailed()).isEqualTo(2);
    assertThat(stats.retried()).isZero();
    assertThatThrownBy(() -> dfk.call(TestApps.INC, 1L)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void cancelModeIsNotRetried() throws Exception {
    String key = TestApps.key();
    DataFlowKernel dfk = kernel(1).retries(5).build();
    AppFuture<Long> sleeper = dfk.call(TestApps.GATED, key, 1L);
    assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

    dfk.close(ShutdownMode.CANCEL);

    assertThat(catchThrowable(sleeper::get)).hasCauseInstanceOf(InterruptedException.class);
    assertThat(sleeper.attempts()).isEqualTo(1);
    assertThat(TestApps.count(key + "/started")).isEqualTo(1);
  }

  @Test
  void cancelModeFailsTasksWhoseInputsFinishAfterTheClose() throws Exception {
    String key = TestApps.key();
    // Ignores the interrupt and returns normally, so that its dependent becomes ready after the close.
    App1<String, Long> stubborn = Apps.define("test.shutdown.stubborn").java(String.class, Long.class, k -> {
      TestApps.gate(k + "/started").countDown();
      try {
        TestApps.gate(k).await(60, SECONDS);
      } catch (InterruptedException e) {
        return 1L;
      }
      return 2L;
    });
    DataFlowKernel dfk = kernel(2).build();
    AppFuture<Long> first = dfk.call(stubborn, key);
    AppFuture<Long> dependent = dfk.call(TestApps.INC, first);
    assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

    dfk.close(ShutdownMode.CANCEL);

    assertThat(first.getNow(-1L)).isEqualTo(1L);
    assertThat(dependent.isCancelled()).isTrue();
    assertThat(catchThrowable(dependent::get)).isInstanceOf(CancellationException.class).hasMessageContaining("closed");
    assertThat(dependent.state()).isEqualTo(TaskState.FAILED);
    assertThat(dependent.attempts()).isZero();
  }

  @Test
  void aRetryRacingACancellingCloseFailsTheTaskInsteadOfLeavingItPending() throws Exception {
    String key = TestApps.key();
    CountDownLatch inPolicy = new CountDownLatch(1);
    AtomicReference<Thread> closer = new AtomicReference<>();
    AtomicReference<AssertionError> notClosing = new AtomicReference<>();
    // Decides to retry only once close(CANCEL) has shut the executor down: the kernel checked
    // that it was not cancelling before asking, so the retry reaches the stopped executor.
    RetryPolicy policy = (error, attempt) -> {
      inPolicy.countDown();
      try {
        new CountDownLatch(1).await(30, SECONDS); // until close(CANCEL) interrupts this thread
      } catch (InterruptedException e) {
        // expected
      }
      try {
        Await.until(Duration.ofSeconds(30),
            () -> closer.get() != null && (closer.get().getState() == Thread.State.WAITING
                || closer.get().getState() == Thread.State.TIMED_WAITING),
            () -> "close(CANCEL) to wait for the executor to stop");
      } catch (AssertionError e) {
        notClosing.set(e); // thrown here, it would only reach the kernel's log
      }
      return true;
    };
    DataFlowKernel dfk = kernel(1).retries(1).retryPolicy(policy).build();
    AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, key, 1);
    assertThat(inPolicy.await(30, SECONDS)).isTrue();

    Thread closing = new Thread(() -> dfk.close(ShutdownMode.CANCEL), "closer");
    closer.set(closing);
    closing.start();
    closing.join(20_000);

    assertThat(closing.isAlive()).as("close() hangs on a task that can never finish").isFalse();
    assertThat(notClosing.get()).as("the retry policy's wait for close(CANCEL)").isNull();
    assertThat(flaky.isDone()).isTrue();
    assertThat(catchThrowable(flaky::get)).isInstanceOf(CancellationException.class);
    assertThat(TestApps.count(key)).isEqualTo(1);
  }

  @Test
  void cancellingAPendingTaskFailsItsDependents() throws Exception {
    String key = TestApps.key();
    String neverKey = TestApps.key();
    try (DataFlowKernel dfk = kernel(2).build()) {
      AppFuture<Long> gated = dfk.call(TestApps.GATED, key, 3L);
      AppFuture<Long> cancelled = dfk.call(TestApps.COUNTED_SQUARE_NO_MEMO, Arg.of(neverKey), gated);
      AppFuture<Long> dependent = dfk.call(TestApps.INC, cancelled);
      AppFuture<Long> sibling = dfk.call(TestApps.INC, gated);

      assertThat(cancelled.cancel(true)).isTrue();
      assertThat(cancelled.isCancelled()).isTrue();
      assertThat(cancelled.state()).isEqualTo(TaskState.FAILED);
      assertThat(catchThrowable(cancelled::get)).isInstanceOf(CancellationException.class);

      Throwable error = catchThrowable(() -> dependent.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class).hasCauseInstanceOf(CancellationException.class);
      assertThat(((DependencyFailedException) error).failedDependencyId()).isEqualTo(cancelled.taskId());
      assertThat(dependent.state()).isEqualTo(TaskState.DEP_FAILED);

      TestApps.gate(key).countDown();
      assertThat(sibling.get(30, SECONDS)).isEqualTo(4L);
      assertThat(cancelled.cancel(true)).as("already finished").isFalse();
      assertThat(sibling.cancel(true)).as("already finished").isFalse();
    }
    assertThat(TestApps.count(neverKey)).as("the cancelled app never ran").isZero();
  }

  @Test
  void cancellingARunningTaskDoesNotStopIt() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel(1).build()) {
      AppFuture<Long> running = dfk.call(TestApps.GATED, key, 5L);
      assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

      assertThat(running.cancel(true)).isFalse();
      TestApps.gate(key).countDown();
      assertThat(running.get(30, SECONDS)).isEqualTo(5L);
    }
  }

  @Test
  void waitForCurrentTasksReturnsOnceEverythingSubmittedHasFinished() throws Exception {
    try (DataFlowKernel dfk = kernel(2).build()) {
      List<AppFuture<Long>> futures = new ArrayList<>();
      AppFuture<Long> last = dfk.call(TestApps.INC, 0L);
      for (int i = 0; i < 200; i++) {
        last = dfk.call(TestApps.INC, last);
        futures.add(last);
        futures.add(dfk.call(TestApps.ADD, (long) i, 1L));
      }
      dfk.waitForCurrentTasks();
      assertThat(futures).allMatch(AppFuture::isDone);
      assertThat(last.getNow(-1L)).isEqualTo(201L);
      assertThat(dfk.stats().finished()).isEqualTo(dfk.stats().submitted());
    }
  }
}
