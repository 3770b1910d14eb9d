package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.internal.app.AppInvoker;
import dev.shoal.spi.Invocation;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's completions executor ({@link RunContext#completions()}) and how close() treats work on it. */
class KernelCompletionsTest {
  @TempDir Path runDir;

  /**
   * Runs each app on the kernel's completions executor and then does some work of its own, as a
   * queue executor reports a result there and then does its own bookkeeping.
   */
  private static final class OnCompletions implements TaskExecutor {
    final CountDownLatch afterwards = new CountDownLatch(1);
    final AtomicInteger done = new AtomicInteger();
    private volatile RunContext context;

    @Override
    public String label() {
      return "on-completions";
    }

    @Override
    public void start(RunContext context) {
      this.context = context;
    }

    @Override
    public void submit(Invocation invocation) {
      context.completions().execute(() -> {
        if (!invocation.started()) {
          return;
        }
        Object result;
        try {
          result = AppInvoker.run(invocation.app(), invocation.taskId(), invocation.args(), context.taskDir(invocation));
        } catch (Throwable error) {
          invocation.failed(error);
          return;
        }
        invocation.succeeded(result);
        try {
          afterwards.await(30, SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        done.incrementAndGet();
      });
    }

    @Override
    public void shutdown(boolean cancel) {}

    @Override
    public void close() {}
  }

  @Test
  void closeWaitsForWorkStillRunningOnTheCompletionsExecutor() throws Exception {
    OnCompletions executor = new OnCompletions();
    DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build();
    assertThat(dfk.call(TestApps.INC, 1L).get(30, SECONDS)).isEqualTo(2L);

    Thread closer = new Thread(dfk::close, "closer");
    closer.start();
    // Every task has finished, but the executor is still at work on the completions executor.
    long deadline = System.nanoTime() + SECONDS.toNanos(30);
    while (closer.getState() != Thread.State.TIMED_WAITING && closer.getState() != Thread.State.WAITING) {
      assertThat(deadline - System.nanoTime()).as("close() returned (or never waited): it is %s", closer.getState())
          .isPositive();
      Thread.yield();
    }
    assertThat(closer.isAlive()).isTrue();
    assertThat(executor.done).hasValue(0);

    executor.afterwards.countDown();
    closer.join(SECONDS.toMillis(30));
    assertThat(closer.isAlive()).isFalse();
    assertThat(executor.done).hasValue(1);
  }

  @Test
  void everyResultCompletedOnTheCompletionsExecutorIsCheckpointedBeforeCloseReturns() throws Exception {
    Path checkpoint = runDir.resolve("checkpoint.jsonl");
    String key = TestApps.key();
    OnCompletions executor = new OnCompletions();
    executor.afterwards.countDown();
    List<AppFuture<Long>> squares = new ArrayList<>();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).checkpoint(checkpoint).executor(executor).build()) {
      for (long i = 0; i < 200; i++) {
        squares.add(dfk.call(TestApps.COUNTED_SQUARE, key, i));
      }
    }
    assertThat(squares).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(executor.done).hasValue(200);
    assertThat(Files.readAllLines(checkpoint)).hasSize(200);
  }
}
