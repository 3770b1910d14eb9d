package dev.shoal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
  private static final int THREADS = 8;
  private static final int TASKS_PER_THREAD = 5_000;

  @TempDir Path runDir;

  /** A future and the value it must end with. */
  private record Expected(AppFuture<Long> future, long value) {}

  @Test
  void manyThreadsSubmittingInterdependentTasksAllGetTheRightResults() throws Exception {
    try (DataFlowKernel dfk = DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(4).build())
        .build()) {
      // Each thread publishes its latest future; the next thread's tasks take it as an input.
      AtomicReferenceArray<Expected> latest = new AtomicReferenceArray<>(THREADS);
      List<List<Expected>> submitted = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        submitted.add(new ArrayList<>());
      }
      CountDownLatch start = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int me = t;
        Thread thread = new Thread(() -> {
          try {
            start.await();
            List<Expected> mine = submitted.get(me);
            Arg<Long> own = Arg.of(0L);
            long ownValue = 0;
            for (int i = 0; i < TASKS_PER_THREAD; i++) {
              long self = me * 1_000_000L + i;
              Expected other = latest.get((me + 1) % THREADS);
              Arg<Long> otherArg = other == null ? Arg.of(-1L) : other.future();
              long otherValue = other == null ? -1L : other.value();
              AppFuture<Long> future = dfk.call(TestApps.MIX, Arg.of(self), own, otherArg);
              long value = TestApps.mix(self, ownValue, otherValue);
              Expected expected = new Expected(future, value);
              mine.add(expected);
              latest.set(me, expected);
              own = future;
              ownValue = value;
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }, "submitter-" + t);
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(thread.isAlive()).isFalse();
      }
      assertThat(failure.get()).isNull();

      dfk.waitForCurrentTasks();
      long[] ids = submitted.stream().flatMap(List::stream).mapToLong(e -> e.future().taskId()).sorted().toArray();
      assertThat(ids).hasSize(THREADS * TASKS_PER_THREAD).doesNotHaveDuplicates();
      for (List<Expected> mine : submitted) {
        assertThat(mine).hasSize(TASKS_PER_THREAD);
        for (Expected expected : mine) {
          assertThat(expected.future().getNow(null)).isEqualTo(expected.value());
        }
      }
      RunStats stats = dfk.stats();
      assertThat(stats.submitted()).isEqualTo(THREADS * TASKS_PER_THREAD);
      assertThat(stats.succeeded()).isEqualTo(THREADS * TASKS_PER_THREAD);
      assertThat(stats.failed() + stats.dependencyFailed()).isZero();
    }
  }
}
