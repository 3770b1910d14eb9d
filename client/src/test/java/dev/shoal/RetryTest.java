package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetryTest {
  private static final App1<Integer, Integer> DOUBLE = Apps.define("test.retry.double")
      .java(Integer.class, Integer.class, x -> 2 * x);

  @TempDir Path runDir;

  private DataFlowKernel.Builder kernel() {
    return DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(2).build());
  }

  @Test
  void runLevelRetriesRunAFailingTaskAgain() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel().retries(3).build()) {
      AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, key, 2);

      assertThat(flaky.get(30, SECONDS)).isEqualTo(3);
      assertThat(flaky.attempts()).isEqualTo(3);
      assertThat(flaky.state()).isEqualTo(TaskState.DONE);
      assertThat(TestApps.count(key)).isEqualTo(3);
      assertThat(dfk.stats().retried()).isEqualTo(2);
      assertThat(dfk.stats().failed()).isZero();
    }
  }

  @Test
  void taskFailsWithTheLastErrorOnceRetriesAreUsedUp() {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel().retries(1).build()) {
      AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, key, 5);

      Throwable error = catchThrowable(() -> flaky.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(IOException.class).hasMessage("attempt 2 of " + key + " fails");
      assertThat(flaky.attempts()).isEqualTo(2);
      assertThat(flaky.state()).isEqualTo(TaskState.FAILED);
      assertThat(TestApps.count(key)).isEqualTo(2);
      assertThat(dfk.stats().retried()).isEqualTo(1);
      assertThat(dfk.stats().failed()).isEqualTo(1);
    }
  }

  @Test
  void noRetriesByDefault() {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel().build()) {
      AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, key, 1);

      assertThat(catchThrowable(() -> flaky.get(30, SECONDS))).hasCauseInstanceOf(IOException.class);
      assertThat(flaky.attempts()).isEqualTo(1);
      assertThat(TestApps.count(key)).isEqualTo(1);
    }
  }

  @Test
  void appLevelRetriesOverrideTheRunDefault() throws Exception {
    String more = TestApps.key();
    String none = TestApps.key();
    try (DataFlowKernel dfk = kernel().retries(1).build()) {
      AppFuture<Integer> retriedMore = dfk.call(TestApps.FLAKY_RETRIES_3, more, 3);
      AppFuture<Integer> neverRetried = dfk.call(TestApps.FLAKY_RETRIES_0, none, 1);

      assertThat(retriedMore.get(30, SECONDS)).isEqualTo(4);
      assertThat(retriedMore.attempts()).isEqualTo(4);
      assertThat(catchThrowable(() -> neverRetried.get(30, SECONDS))).hasCauseInstanceOf(IOException.class);
      assertThat(neverRetried.attempts()).isEqualTo(1);
      assertThat(TestApps.count(none)).isEqualTo(1);
      assertThat(dfk.stats().retried()).isEqualTo(3);
    }
  }

  @Test
  void retryPolicyCanRefuseSomeFailures() throws Exception {
    String invalid = TestApps.key();
    String flakyKey = TestApps.key();
    List<Integer> attemptsSeen = new CopyOnWriteArrayList<>();
    RetryPolicy policy = (error, attempt) -> {
      attemptsSeen.add(attempt);
      return !(error instanceof IllegalArgumentException);
    };
    try (DataFlowKernel dfk = kernel().retries(5).retryPolicy(policy).build()) {
      AppFuture<Integer> refused = dfk.call(TestApps.INVALID, invalid);
      Throwable error = catchThrowable(() -> refused.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input " + invalid);
      assertThat(refused.attempts()).isEqualTo(1);
      assertThat(TestApps.count(invalid)).isEqualTo(1);
      assertThat(attemptsSeen).containsExactly(1);

      attemptsSeen.clear();
      AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, flakyKey, 2);
      assertThat(flaky.get(30, SECONDS)).isEqualTo(3);
      assertThat(attemptsSeen).containsExactly(1, 2);
      assertThat(dfk.stats().retried()).isEqualTo(2);
    }
  }

  @Test
  void dependentsOfARetriedTaskSeeItsFinalResult() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel().retries(2).build()) {
      AppFuture<Integer> flaky = dfk.call(TestApps.FLAKY, key, 2);
      AppFuture<Integer> next = dfk.call(DOUBLE, flaky);
      assertThat(next.get(30, SECONDS)).isEqualTo(6);
      assertThat(next.attempts()).isEqualTo(1);
    }
  }
}
