package dev.shoal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.shoal.app.App1;
import dev.shoal.app.Apps;
import dev.shoal.app.EncodingException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoizationTest {
  @TempDir Path runDir;

  private DataFlowKernel kernel() {
    return TestKernels.onThreads(runDir);
  }

  @Test
  void identicalCallsInOneRunAreComputedOnce() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(dfk.call(TestApps.COUNTED_SQUARE, key, 7L));
      }
      for (AppFuture<Long> call : calls) {
        assertThat(call.get(30, SECONDS)).isEqualTo(49L);
        assertThat(call.state()).isEqualTo(TaskState.DONE);
      }
      assertThat(TestApps.count(key)).isEqualTo(1);
      assertThat(calls).filteredOn(AppFuture::reused).hasSize(9);
      assertThat(calls).filteredOn(f -> !f.reused()).singleElement()
          .satisfies(f -> assertThat(f.attempts()).isEqualTo(1));
      dfk.waitForCurrentTasks();
      assertThat(dfk.stats().memoHits()).isEqualTo(9);
      assertThat(dfk.stats().checkpointHits()).isZero();
      assertThat(dfk.stats().succeeded()).isEqualTo(10);
    }
  }

  @Test
  void callsWithDifferentArgumentsAreComputedSeparately() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> calls = new ArrayList<>();
      for (long i = 0; i < 5; i++) {
        calls.add(dfk.call(TestApps.COUNTED_SQUARE, key, i));
        calls.add(dfk.call(TestApps.COUNTED_SQUARE, key, i));
      }
      for (int i = 0; i < calls.size(); i++) {
        long x = i / 2;
        assertThat(calls.get(i).get(30, SECONDS)).isEqualTo(x * x);
      }
      assertThat(TestApps.count(key)).isEqualTo(5);
    }
  }

  @Test
  void appsThatDoNotMemoizeRunEveryCall() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      List<AppFuture<Long>> calls = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        calls.add(dfk.call(TestApps.COUNTED_SQUARE_NO_MEMO, key, 3L));
      }
      for (AppFuture<Long> call : calls) {
        assertThat(call.get(30, SECONDS)).isEqualTo(9L);
        assertThat(call.reused()).isFalse();
      }
      assertThat(TestApps.count(key)).isEqualTo(3);
      assertThat(dfk.stats().memoHits()).isZero();
    }
  }

  @Test
  void theMemoKeyUsesResolvedValuesOfFutureArguments() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> two = dfk.call(TestApps.INC, 1L);
      AppFuture<Long> alsoTwo = dfk.call(TestApps.ADD, 1L, 1L);
      AppFuture<Long> first = dfk.call(TestApps.COUNTED_SQUARE, Arg.of(key), two);
      AppFuture<Long> second = dfk.call(TestApps.COUNTED_SQUARE, Arg.of(key), alsoTwo);
      AppFuture<Long> third = dfk.call(TestApps.COUNTED_SQUARE, key, 2L);

      assertThat(first.get(30, SECONDS)).isEqualTo(4L);
      assertThat(second.get(30, SECONDS)).isEqualTo(4L);
      assertThat(third.get(30, SECONDS)).isEqualTo(4L);
      assertThat(TestApps.count(key)).isEqualTo(1);
    }
  }

  @Test
  void aCallWaitingOnAnIdenticalCallThatFailsComputesItself() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Integer> first = dfk.call(TestApps.FAIL_FIRST_MEMO, key);
      AppFuture<Integer> twin = dfk.call(TestApps.FAIL_FIRST_MEMO, key);
      TestApps.gate(key).countDown();

      assertThat(catchThrowable(() -> first.get(30, SECONDS))).hasCauseInstanceOf(IOException.class);
      assertThat(twin.get(30, SECONDS)).isEqualTo(2);
      assertThat(twin.reused()).isFalse();
      assertThat(TestApps.count(key)).isEqualTo(2);

      // The success is memoized now.
      AppFuture<Integer> later = dfk.call(TestApps.FAIL_FIRST_MEMO, key);
      assertThat(later.get(30, SECONDS)).isEqualTo(2);
      assertThat(later.reused()).isTrue();
    }
  }

  @Test
  void aCallCancelledWhileWaitingForAnIdenticalCallIsNotReused() throws Exception {
    String key = TestApps.key();
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<Long> first = dfk.call(TestApps.GATED_MEMO, key, 5L);
      AppFuture<Long> twin = dfk.call(TestApps.GATED_MEMO, key, 5L);
      assertThat(twin.cancel(true)).isTrue();
      TestApps.gate(key).countDown();

      assertThat(first.get(30, SECONDS)).isEqualTo(5L);
      dfk.waitForCurrentTasks();
      assertThat(twin.isCancelled()).isTrue();
      assertThat(twin.state()).isEqualTo(TaskState.FAILED);
      assertThat(twin.reused()).isFalse();
      assertThat(dfk.stats().memoHits()).isZero();
      assertThat(dfk.stats().succeeded()).isEqualTo(1);
      assertThat(dfk.stats().failed()).isEqualTo(1);
    }
  }

  /** Jackson cannot encode this: its one property throws. */
  public static final class Unencodable {
    public String getValue() {
      throw new IllegalStateException("cannot read me");
    }
  }

  @Test
  void aMemoizingAppWhoseArgumentsCannotBeEncodedFailsClearly() {
    App1<Unencodable, String> app = Apps.define("test.memo.unencodable").memoize()
        .java(Unencodable.class, String.class, u -> "ran");
    try (DataFlowKernel dfk = kernel()) {
      AppFuture<String> call = dfk.call(app, new Unencodable());

      Throwable error = catchThrowable(() -> call.get(30, SECONDS)).getCause();
      assertThat(error).isInstanceOf(EncodingException.class)
          .hasMessageContaining("test.memo.unencodable")
          .hasMessageContaining("memoizes");
      assertThat(call.state()).isEqualTo(TaskState.FAILED);
    }
  }
}
