package dev.shoal;

import static dev.shoal.monitor.TaskEvent.Transition.ATTEMPT_FAILED;
import static dev.shoal.monitor.TaskEvent.Transition.DEP_FAILED;
import static dev.shoal.monitor.TaskEvent.Transition.DONE;
import static dev.shoal.monitor.TaskEvent.Transition.ENDED;
import static dev.shoal.monitor.TaskEvent.Transition.FAILED;
import static dev.shoal.monitor.TaskEvent.Transition.LAUNCHED;
import static dev.shoal.monitor.TaskEvent.Transition.STARTED;
import static dev.shoal.monitor.TaskEvent.Transition.SUBMITTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run tells its listeners about its tasks, on the thread executor. */
class RunEventsTest {
  @TempDir Path runDir;

  private DataFlowKernel kernel(RunListener... listeners) {
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(runDir).program("RunEventsTest")
        .executor(ThreadPoolTaskExecutor.builder().label("threads").threads(2).build());
    for (RunListener listener : listeners) {
      builder.listener(listener);
    }
    return builder.build();
  }

  @Test
  void aTaskGoesFromSubmittedToDoneWithItsInputsItsDigestAndItsThread() {
    RecordingListener events = new RecordingListener();
    AppFuture<Long> a;
    AppFuture<Long> b;
    AppFuture<Long> sum;
    String runId;
    try (DataFlowKernel dfk = kernel(events)) {
      runId = dfk.runId();
      a = dfk.call(TestApps.INC, 1L);
      b = dfk.call(TestApps.INC, 2L);
      sum = dfk.call(TestApps.SUM, Arg.all(List.of(a, b, a)));
      assertThat(sum.join()).isEqualTo(7L); // 2 + 3 + 2
    }
    assertThat(events.transitions(sum.taskId())).containsExactly(SUBMITTED, LAUNCHED, STARTED, ENDED, DONE);
    List<TaskEvent> ofSum = events.of(sum.taskId());
    assertThat(ofSum).allSatisfy(event -> {
      assertThat(event.runId()).isEqualTo(runId);
      assertThat(event.app()).isEqualTo("test.sum");
      assertThat(event.executor()).isEqualTo("threads");
    });
    // Its inputs in argument order, each once.
    assertThat(ofSum.get(0).dependsOn()).containsExactly(a.taskId(), b.taskId());
    assertThat(ofSum.get(0).attempt()).isZero();
    assertThat(ofSum.get(1).attempt()).isEqualTo(1);
    // The digest of its resolved arguments: the same call gets the same one, another call another.
    String digest = ofSum.get(1).detail();
    assertThat(digest).matches("[0-9a-f]{64}");
    assertThat(events.of(a.taskId()).get(1).detail()).matches("[0-9a-f]{64}").isNotEqualTo(digest)
        .isNotEqualTo(events.of(b.taskId()).get(1).detail());
    assertThat(ofSum.get(2).worker()).startsWith("shoal-threads");
    assertThat(ofSum.get(3).worker()).isEqualTo(ofSum.get(2).worker());
    assertThat(ofSum.get(3).at()).isAfterOrEqualTo(ofSum.get(2).at());
    assertThat(ofSum.get(4).error()).isNull();
    assertThat(events.started).singleElement().satisfies(run -> {
      assertThat(run.runId()).isEqualTo(runId);
      assertThat(run.executors()).containsExactly("threads");
      assertThat(run.program()).isEqualTo("RunEventsTest");
    });
    assertThat(events.ended).singleElement().satisfies(end -> {
      assertThat(end.submitted()).isEqualTo(3);
      assertThat(end.succeeded()).isEqualTo(3);
    });
    assertThat(events.closed).isEqualTo(1);
    assertThat(events.endedBeforeClose).isTrue();
  }

  @Test
  void aRetriedTaskSaysWhyEachAttemptFailedAndAFailedInputFailsItsDependents() {
    RecordingListener events = new RecordingListener();
    String key = UUID.randomUUID().toString();
    AppFuture<Integer> flaky;
    AppFuture<Long> boom;
    AppFuture<Long> after;
    try (DataFlowKernel dfk = kernel(events)) {
      flaky = dfk.call(TestApps.FLAKY_RETRIES_3, key, 1);
      boom = dfk.call(TestApps.BOOM, "no way");
      after = dfk.call(TestApps.INC, boom);
      assertThat(flaky.join()).isEqualTo(2);
      assertThatThrownBy(after::join).isInstanceOf(CompletionException.class);
    }
    assertThat(events.transitions(flaky.taskId()))
        .containsExactly(SUBMITTED, LAUNCHED, STARTED, ENDED, ATTEMPT_FAILED, LAUNCHED, STARTED, ENDED, DONE);
    TaskEvent failedAttempt = events.of(flaky.taskId()).get(4);
    assertThat(failedAttempt.attempt()).isEqualTo(1);
    assertThat(failedAttempt.error()).isEqualTo("java.io.IOException: attempt 1 of " + key + " fails");
    assertThat(events.of(flaky.taskId()).get(8).attempt()).isEqualTo(2);

    assertThat(events.transitions(boom.taskId())).containsExactly(SUBMITTED, LAUNCHED, STARTED, ENDED, FAILED);
    assertThat(events.of(boom.taskId()).get(4).error()).isEqualTo("java.lang.IllegalStateException: no way");
    assertThat(events.transitions(after.taskId())).containsExactly(SUBMITTED, DEP_FAILED);
    TaskEvent depFailed = events.of(after.taskId()).get(1);
    assertThat(depFailed.attempt()).isZero();
    assertThat(depFailed.error()).startsWith(DependencyFailedException.class.getName()).contains("no way");
  }

  @Test
  void aReusedResultIsMarkedAsSuch() {
    RecordingListener events = new RecordingListener();
    String key = UUID.randomUUID().toString();
    AppFuture<Long> first;
    AppFuture<Long> second;
    try (DataFlowKernel dfk = kernel(events)) {
      first = dfk.call(TestApps.COUNTED_SQUARE, key, 7L);
      first.join();
      second = dfk.call(TestApps.COUNTED_SQUARE, key, 7L);
      assertThat(second.join()).isEqualTo(49L);
    }
    assertThat(events.of(first.taskId()).get(4).detail()).isNull();
    assertThat(events.transitions(second.taskId())).containsExactly(SUBMITTED, DONE);
    assertThat(events.of(second.taskId()).get(1).detail()).isEqualTo("memo");
  }

  @Test
  void argumentsAreDigestedOnlyWhenAListenerAsks() {
    RecordingListener events = new RecordingListener(false);
    String key = UUID.randomUUID().toString();
    AppFuture<Long> plain;
    AppFuture<Long> memoized;
    try (DataFlowKernel dfk = kernel(events)) {
      plain = dfk.call(TestApps.INC, 1L);
      memoized = dfk.call(TestApps.COUNTED_SQUARE, key, 3L);
      plain.join();
      memoized.join();
    }
    assertThat(events.of(plain.taskId()).get(1).detail()).isNull();
    // A memoizing task has its digest anyway: its memo key.
    assertThat(events.of(memoized.taskId()).get(1).detail()).matches("[0-9a-f]{64}");
  }

  @Test
  void aListenerThatThrowsIsKeptOutOfTheRun() {
    RecordingListener events = new RecordingListener();
    RunListener broken = new RunListener() {
      @Override
      public void task(TaskEvent event) {
        throw new IllegalStateException("broken monitor");
      }

      @Override
      public void close() {
        throw new IllegalStateException("broken close");
      }
    };
    AppFuture<Long> a;
    try (DataFlowKernel dfk = kernel(broken, events)) {
      a = dfk.call(TestApps.INC, 41L);
      assertThat(a.join()).isEqualTo(42L);
    }
    // The listener after the broken one heard everything, and was closed all the same.
    assertThat(events.transitions(a.taskId())).containsExactly(SUBMITTED, LAUNCHED, STARTED, ENDED, DONE);
    assertThat(events.closed).isEqualTo(1);
  }
}
