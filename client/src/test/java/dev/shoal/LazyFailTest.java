package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LazyFailTest {
  @TempDir Path runDir;

  private DataFlowKernel kernel() {
    return TestKernels.onThreads(runDir);
  }

  @Test
  void failedAppKeepsItsOwnExceptionTypeMessageAndStack() {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> boom = dfk.call(TestApps.BOOM, "kaput");

      Throwable thrown = catchThrowable(() -> boom.get(30, SECONDS));

      assertThat(thrown).isInstanceOf(ExecutionException.class);
      Throwable cause = thrown.getCause();
      assertThat(cause).isExactlyInstanceOf(IllegalStateException.class).hasMessage("kaput");
      assertThat(Arrays.asList(cause.getStackTrace()))
          .anySatisfy(frame -> {
            assertThat(frame.getClassName()).isEqualTo(TestApps.class.getName());
            assertThat(frame.getMethodName()).isEqualTo("explode");
          });
      assertThat(boom.state()).isEqualTo(TaskState.FAILED);
      assertThat(boom.isCompletedExceptionally()).isTrue();
    }
  }

  @Test
  void downstreamTasksFailWithDependencyFailedAndIndependentBranchesComplete() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> boom = dfk.call(TestApps.BOOM, "root cause");
      AppFuture<Long> child = dfk.call(TestApps.INC, boom);
      AppFuture<Long> grandchild = dfk.call(TestApps.ADD, child, Arg.of(1L));
      AppFuture<Long> independent = dfk.call(TestApps.INC, 41L);
      AppFuture<Long> afterIndependent = dfk.call(TestApps.INC, independent);

      Throwable childError = catchThrowable(() -> child.get(30, SECONDS)).getCause();
      assertThat(childError).isInstanceOf(DependencyFailedException.class);
      DependencyFailedException childFailure = (DependencyFailedException) childError;
      assertThat(childFailure.taskId()).isEqualTo(child.taskId());
      assertThat(childFailure.failedDependencyId()).isEqualTo(boom.taskId());
      assertThat(childFailure.rootTaskId()).isEqualTo(boom.taskId());
      assertThat(childFailure.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("root cause");
      assertThat(childFailure.getMessage()).contains("task " + boom.taskId()).contains("test.boom");

      Throwable grandchildError = catchThrowable(() -> grandchild.get(30, SECONDS)).getCause();
      assertThat(grandchildError).isInstanceOf(DependencyFailedException.class);
      DependencyFailedException grandchildFailure = (DependencyFailedException) grandchildError;
      assertThat(grandchildFailure.taskId()).isEqualTo(grandchild.taskId());
      assertThat(grandchildFailure.failedDependencyId()).isEqualTo(child.taskId());
      assertThat(grandchildFailure.rootTaskId()).isEqualTo(boom.taskId());
      assertThat(grandchildFailure.getMessage())
          .contains("starting at task " + boom.taskId())
          .contains("IllegalStateException: root cause")
          .doesNotContain(childFailure.getMessage());

      assertThat(afterIndependent.get(30, SECONDS)).isEqualTo(43L);

      assertThat(boom.state()).isEqualTo(TaskState.FAILED);
      assertThat(child.state()).isEqualTo(TaskState.DEP_FAILED);
      assertThat(grandchild.state()).isEqualTo(TaskState.DEP_FAILED);
      assertThat(independent.state()).isEqualTo(TaskState.DONE);
      assertThat(afterIndependent.state()).isEqualTo(TaskState.DONE);
      assertThat(child.attempts()).as("a task whose input failed never runs").isZero();

      dfk.waitForCurrentTasks();
      RunStats stats = dfk.stats();
      assertThat(stats.failed()).isEqualTo(1);
      assertThat(stats.dependencyFailed()).isEqualTo(2);
      assertThat(stats.succeeded()).isEqualTo(2);
      assertThat(stats.finished()).isEqualTo(stats.submitted()).isEqualTo(5);
    }
  }

  @Test
  void oneFailedInputFailsAGatherButNotItsSiblings() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> a = dfk.call(TestApps.INC, 1L);
      AppFuture<Long> boom = dfk.call(TestApps.BOOM, "one of many");
      AppFuture<Long> c = dfk.call(TestApps.INC, 3L);
      AppFuture<Long> total = dfk.call(TestApps.SUM, Arg.all(List.of(a, boom, c)));

      Throwable error = catchThrowable(() -> total.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class);
      assertThat(((DependencyFailedException) error).failedDependencyId()).isEqualTo(boom.taskId());
      assertThat(a.get(30, SECONDS)).isEqualTo(2L);
      assertThat(c.get(30, SECONDS)).isEqualTo(4L);
    }
  }

  @Test
  void failureAtTheRootOfALongChainReachesItsEnd() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      // The root waits, so that the whole chain is wired before the failure travels down it.
      AppFuture<Long> boom = dfk.call(TestApps.GATED_BOOM, key);
      AppFuture<Long> last = boom;
      for (int i = 0; i < 5_000; i++) {
        last = dfk.call(TestApps.INC, last);
      }
      TestApps.gate(key).countDown();
      AppFuture<Long> end = last;
      Throwable error = catchThrowable(() -> end.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class);
      assertThat(((DependencyFailedException) error).rootTaskId()).isEqualTo(boom.taskId());
      assertThat(((DependencyFailedException) error).failedDependencyId()).isEqualTo(last.taskId() - 1);
      // The message names the root failure, not every task in between.
      assertThat(error.getMessage()).contains("failed after gate " + key).hasSizeLessThan(500);
      dfk.waitForCurrentTasks();
      assertThat(dfk.stats().dependencyFailed()).isEqualTo(5_000);
    }
  }
}
