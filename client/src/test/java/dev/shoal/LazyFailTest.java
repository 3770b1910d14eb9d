package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.ArrayList;
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
  void everyInputThatHadFailedIsNamed() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> first = dfk.call(TestApps.BOOM, "first failure");
      AppFuture<Long> second = dfk.call(TestApps.BOOM, "second failure");
      awaitFailure(first);
      awaitFailure(second);

      AppFuture<Long> both = dfk.call(TestApps.ADD, first, second);

      Throwable error = catchThrowable(() -> both.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class);
      assertThat(error.getMessage())
          .contains("task " + first.taskId()).contains("first failure")
          .contains("task " + second.taskId()).contains("second failure");
      DependencyFailedException failure = (DependencyFailedException) error;
      assertThat(failure.failedInputs()).extracting(DependencyFailedException.FailedInput::taskId)
          .containsExactlyInAnyOrder(first.taskId(), second.taskId());
      assertThat(failure.failedInputs()).extracting(DependencyFailedException.FailedInput::app)
          .containsOnly("test.boom");
      assertThat(failure.failedInputs()).allSatisfy(input -> {
        assertThat(input.rootTaskId()).isEqualTo(input.taskId());
        assertThat(input.error()).isInstanceOf(IllegalStateException.class);
      });
      assertThat(failure.failedDependencyId()).isEqualTo(failure.failedInputs().get(0).taskId());
      assertThat(failure.getCause()).isSameAs(failure.failedInputs().get(0).error());
    }
  }

  @Test
  void aGatherNamesEveryFailedInput() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> fine = dfk.call(TestApps.INC, 1L);
      AppFuture<Long> boom1 = dfk.call(TestApps.BOOM, "one");
      AppFuture<Long> boom2 = dfk.call(TestApps.BOOM, "two");
      awaitFailure(boom1);
      awaitFailure(boom2);

      AppFuture<Long> total = dfk.call(TestApps.SUM, Arg.all(List.of(fine, boom1, boom2)));

      Throwable error = catchThrowable(() -> total.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class);
      assertThat(error.getMessage()).contains("task " + boom1.taskId()).contains("task " + boom2.taskId())
          .doesNotContain("task " + fine.taskId() + " ");
      assertThat(((DependencyFailedException) error).failedInputs()).extracting(DependencyFailedException.FailedInput::taskId)
          .containsExactlyInAnyOrder(boom1.taskId(), boom2.taskId());
    }
  }

  @Test
  void theFirstFailedInputStillFailsATaskAtOnce() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> boom = dfk.call(TestApps.BOOM, "early");
      AppFuture<Long> slow = dfk.call(TestApps.GATED, key, 1L);

      AppFuture<Long> both = dfk.call(TestApps.ADD, boom, slow);

      // Lazy fail: the task fails while its other input still runs.
      Throwable error = catchThrowable(() -> both.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(DependencyFailedException.class);
      assertThat(slow.isDone()).isFalse();
      assertThat(((DependencyFailedException) error).failedDependencyId()).isEqualTo(boom.taskId());
      assertThat(((DependencyFailedException) error).failedInputs()).extracting(DependencyFailedException.FailedInput::taskId)
          .containsExactly(boom.taskId());
      TestApps.gate(key).countDown();
      assertThat(slow.get(30, SECONDS)).isEqualTo(1L);
    }
  }

  @Test
  void eachFailedInputNamesWhereItsFailureStarted() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> root = dfk.call(TestApps.BOOM, "at the root");
      AppFuture<Long> viaChild = dfk.call(TestApps.INC, root);
      AppFuture<Long> other = dfk.call(TestApps.BOOM, "elsewhere");
      awaitFailure(viaChild);
      awaitFailure(other);

      AppFuture<Long> both = dfk.call(TestApps.ADD, viaChild, other);

      DependencyFailedException failure = (DependencyFailedException) catchThrowable(() -> both.get(30, SECONDS)).getCause();
      assertThat(failure.failedInputs()).hasSize(2).anySatisfy(input -> {
        assertThat(input.taskId()).isEqualTo(viaChild.taskId());
        assertThat(input.rootTaskId()).isEqualTo(root.taskId());
        assertThat(input.error()).isInstanceOf(DependencyFailedException.class);
      });
      assertThat(failure.getMessage()).contains("starting at task " + root.taskId()).contains("at the root")
          .contains("elsewhere");
    }
  }

  @Test
  void aGatherOfManyFailuresNamesAFewInItsMessageAndListsThemAll() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> booms = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        booms.add(dfk.call(TestApps.BOOM, "failure " + i));
      }
      booms.forEach(LazyFailTest::awaitFailure);

      AppFuture<Long> total = dfk.call(TestApps.SUM, Arg.all(booms));

      DependencyFailedException failure = (DependencyFailedException) catchThrowable(() -> total.get(30, SECONDS)).getCause();
      assertThat(failure.failedInputs()).hasSize(40);
      assertThat(failure.getMessage()).contains("40 of its inputs had failed").contains("and 35 more").hasSizeLessThan(1000);
    }
  }

  @Test
  void anInputGivenTwiceIsNamedOnce() throws Exception {
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> boom = dfk.call(TestApps.BOOM, "twice");
      awaitFailure(boom);

      AppFuture<Long> doubled = dfk.call(TestApps.ADD, boom, boom);

      DependencyFailedException failure = (DependencyFailedException) catchThrowable(() -> doubled.get(30, SECONDS)).getCause();
      assertThat(failure.failedInputs()).singleElement().extracting(DependencyFailedException.FailedInput::taskId)
          .isEqualTo(boom.taskId());
    }
  }

  private static void awaitFailure(AppFuture<?> future) {
    assertThat(catchThrowable(() -> future.get(30, SECONDS))).isInstanceOf(ExecutionException.class);
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
