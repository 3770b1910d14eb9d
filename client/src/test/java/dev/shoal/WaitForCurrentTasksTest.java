package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitForCurrentTasksTest {
  @TempDir Path runDir;

  /** Cancels on close, so that a failing test does not wait for gates it never opened. */
  private DataFlowKernel kernel() {
    return DataFlowKernel.builder().runDir(runDir).shutdownMode(ShutdownMode.CANCEL)
        .executor(ThreadPoolTaskExecutor.builder().threads(4).build()).build();
  }

  @Test
  void returnsWhenNothingWasSubmitted() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      Waiter waiter = Waiter.start(dfk);
      waiter.awaitEnd();
      assertThat(waiter.isAlive()).as("waitForCurrentTasks() with no tasks did not return").isFalse();
      assertThat(waiter.error.get()).isNull();
    }
  }

  @Test
  void sleepsUntilATaskBlockedOnALatchFinishes() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> gated = dfk.call(TestApps.GATED, key, 7L);
      AppFuture<Long> after = dfk.call(TestApps.INC, gated);
      assertThat(TestApps.gate(key + "/started").await(30, SECONDS)).isTrue();

      Waiter waiter = Waiter.start(dfk);
      // Parked without a timeout: it sleeps until woken, where a poll would wake on a timer.
      awaitState(waiter, Thread.State.WAITING);
      assertThat(gated.isDone()).isFalse();
      assertThat(waiter.isAlive()).isTrue();

      TestApps.gate(key).countDown();
      waiter.awaitEnd();
      assertThat(waiter.isAlive()).as("waitForCurrentTasks() did not return after the last task finished").isFalse();
      assertThat(waiter.error.get()).isNull();
      assertThat(gated.getNow(-1L)).isEqualTo(7L);
      assertThat(after.getNow(-1L)).as("finished before waitForCurrentTasks() returned").isEqualTo(8L);
      assertThat(dfk.stats().finished()).isEqualTo(2);
    }
  }

  @Test
  void wakesForEveryWaiterAndCanWaitAgain() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      for (int round = 0; round < 3; round++) {
        String key = TestApps.key();
        List<AppFuture<Long>> chain = new ArrayList<>();
        AppFuture<Long> last = dfk.call(TestApps.GATED, key, 0L);
        for (int i = 0; i < 50; i++) {
          last = dfk.call(TestApps.INC, last);
          chain.add(last);
        }
        Waiter first = Waiter.start(dfk);
        Waiter second = Waiter.start(dfk);
        awaitState(first, Thread.State.WAITING);
        awaitState(second, Thread.State.WAITING);

        TestApps.gate(key).countDown();
        first.awaitEnd();
        second.awaitEnd();
        assertThat(first.isAlive()).isFalse();
        assertThat(second.isAlive()).isFalse();
        assertThat(chain).allMatch(AppFuture::isDone);
        assertThat(last.getNow(-1L)).isEqualTo(50L);
      }
    }
  }

  /** A thread that calls {@link DataFlowKernel#waitForCurrentTasks()} once. */
  private static final class Waiter extends Thread {
    final AtomicReference<Throwable> error = new AtomicReference<>();
    private final DataFlowKernel dfk;

    private Waiter(DataFlowKernel dfk) {
      super("waiter");
      this.dfk = dfk;
    }

    static Waiter start(DataFlowKernel dfk) {
      Waiter waiter = new Waiter(dfk);
      waiter.setDaemon(true);
      waiter.start();
      return waiter;
    }

    @Override
    public void run() {
      try {
        dfk.waitForCurrentTasks();
      } catch (Throwable e) {
        error.set(e);
      }
    }

    /** Joins with a deadline, so a waiter that never returns fails the test instead of hanging it. */
    void awaitEnd() throws InterruptedException {
      join(SECONDS.toMillis(30));
    }
  }

  private static void awaitState(Thread thread, Thread.State state) {
    long deadline = System.nanoTime() + SECONDS.toNanos(30);
    while (thread.getState() != state) {
      assertThat(deadline - System.nanoTime()).as("%s never reached %s (it is %s)", thread.getName(), state,
          thread.getState()).isPositive();
      Thread.yield();
    }
  }
}
