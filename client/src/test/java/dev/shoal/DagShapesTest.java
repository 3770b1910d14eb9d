package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DagShapesTest {
  @TempDir Path runDir;

  private DataFlowKernel kernel() {
    return TestKernels.onThreads(runDir);
  }

  @Test
  void chainOfAThousandRunsInOrder() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> first = dfk.call(TestApps.INC, 0L);
      AppFuture<Long> last = first;
      for (int i = 1; i < 1_000; i++) {
        last = dfk.call(TestApps.INC, last);
      }
      assertThat(last.get(30, SECONDS)).isEqualTo(1_000L);
      assertThat(last.taskId() - first.taskId()).isEqualTo(999);
      assertThat(last.state()).isEqualTo(TaskState.DONE);
      assertThat(dfk.stats().submitted()).isEqualTo(1_000);
    }
  }

  @Test
  void diamondJoinsBothBranches() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> top = dfk.call(TestApps.INC, 1L); // 2
      AppFuture<Long> left = dfk.call(TestApps.ADD, top, Arg.of(10L)); // 12
      AppFuture<Long> right = dfk.call(TestApps.ADD, top, top); // 4
      AppFuture<Long> bottom = dfk.call(TestApps.ADD, left, right); // 16
      assertThat(bottom.get(30, SECONDS)).isEqualTo(16L);
      assertThat(List.of(top, left, right, bottom)).allSatisfy(f -> assertThat(f.state()).isEqualTo(TaskState.DONE));
    }
  }

  @Test
  void fanOutOfTenThousandGathersIntoOneReduce() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> squares = new ArrayList<>();
      for (long i = 0; i < 10_000; i++) {
        squares.add(dfk.call(TestApps.ADD, i, i));
      }
      AppFuture<Long> total = dfk.call(TestApps.SUM, Arg.all(squares));
      // sum of 2i for i < 10,000
      assertThat(total.get(30, SECONDS)).isEqualTo(10_000L * 9_999L);
      assertThat(squares.get(1234).join()).isEqualTo(2468L);
      dfk.waitForCurrentTasks();
      RunStats stats = dfk.stats();
      assertThat(stats.submitted()).isEqualTo(10_001);
      assertThat(stats.succeeded()).isEqualTo(10_001);
      assertThat(stats.failed()).isZero();
    }
  }

  @Test
  void gatherMixesFuturesAndPlainValuesInOrder() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> three = dfk.call(TestApps.INC, 2L);
      AppFuture<List<Long>> list = dfk.call(
          dev.shoal.app.Apps.define("test.identity-list").java(
              dev.shoal.app.TypeRef.listOf(Long.class), dev.shoal.app.TypeRef.listOf(Long.class), l -> l),
          Arg.all(List.of(Arg.of(1L), three, Arg.of(7L), three)));
      assertThat(list.get(30, SECONDS)).containsExactly(1L, 3L, 7L, 3L);
    }
  }
}
