package dev.shoal.executor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.app.AppDefinition;
import dev.shoal.app.Apps;
import dev.shoal.spi.Invocation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InFlightTasksTest {
  private static final AppDefinition APP = Apps.define("inflight.app").java(Long.class, Long.class, x -> x)
      .definition();

  private final ExecutorService completions = Executors.newSingleThreadExecutor(r -> new Thread(r, "completions"));
  private final InFlightTasks inFlight = new InFlightTasks(completions);

  @AfterEach
  void stop() {
    completions.shutdownNow();
  }

  /** An invocation that records how it ended and on which thread. */
  static final class Recorded implements Invocation {
    final long id;
    final int attempt;
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile boolean cancelled;

    Recorded(long id, int attempt) {
      this.id = id;
      this.attempt = attempt;
    }

    @Override public long taskId() { return id; }
    @Override public AppDefinition app() { return APP; }
    @Override public Object[] args() { return new Object[] {1L}; }
    @Override public int attempt() { return attempt; }
    @Override public boolean started() { return !cancelled; }

    @Override
    public void succeeded(Object result) {
      events.add("ok " + result + " on " + Thread.currentThread().getName());
    }

    @Override
    public void failed(Throwable error) {
      events.add("failed " + error.getMessage() + " on " + Thread.currentThread().getName());
    }
  }

  private void drain() throws InterruptedException {
    completions.shutdown();
    assertThat(completions.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theFirstReportOfAnAttemptWinsAndLaterOnesAreCountedAsDuplicates() throws Exception {
    Recorded task = new Recorded(1, 1);
    inFlight.add(task, Long.MAX_VALUE);

    assertThat(inFlight.settle(1, 1, i -> i.succeeded("first"))).isTrue();
    assertThat(inFlight.settle(1, 1, i -> i.succeeded("second"))).isFalse();
    drain();

    assertThat(task.events).containsExactly("ok first on completions");
    assertThat(inFlight.duplicates()).isEqualTo(1);
    assertThat(inFlight.size()).isZero();
  }

  @Test
  void aResultOfAnEarlierAttemptIsStale() throws Exception {
    Recorded retry = new Recorded(7, 2);
    inFlight.add(retry, Long.MAX_VALUE);

    assertThat(inFlight.settle(7, 1, i -> i.succeeded("late"))).isFalse();
    assertThat(inFlight.settle(7, 2, i -> i.succeeded("current"))).isTrue();
    drain();

    assertThat(retry.events).containsExactly("ok current on completions");
  }

  @Test
  void aBundleOfResultsIsSettledInOneHandOffAndItsDuplicatesAreDropped() throws Exception {
    Recorded a = new Recorded(1, 1);
    Recorded b = new Recorded(2, 1);
    inFlight.add(a, Long.MAX_VALUE);
    inFlight.add(b, Long.MAX_VALUE);
    java.util.concurrent.atomic.AtomicInteger handOffs = new java.util.concurrent.atomic.AtomicInteger();
    InFlightTasks counting = new InFlightTasks(task -> {
      handOffs.incrementAndGet();
      completions.execute(task);
    });
    counting.add(a, Long.MAX_VALUE);
    counting.add(b, Long.MAX_VALUE);
    record Report(long id, int attempt, String value) {}

    counting.settleAll(List.of(new Report(1, 1, "x"), new Report(2, 1, "y"), new Report(1, 1, "again"),
            new Report(3, 1, "unknown")),
        Report::id, Report::attempt, (invocation, report) -> invocation.succeeded(report.value()));
    drain();

    assertThat(handOffs).hasValue(1);
    assertThat(a.events).containsExactly("ok x on completions");
    assertThat(b.events).containsExactly("ok y on completions");
    assertThat(counting.duplicates()).isEqualTo(2);
  }

  @Test
  void onlyOverdueAttemptsExpire() throws Exception {
    Recorded overdue = new Recorded(1, 1);
    Recorded inTime = new Recorded(2, 1);
    inFlight.add(overdue, 1_000);
    inFlight.add(inTime, 5_000);

    inFlight.expire(2_000, i -> new IllegalStateException("timed out " + i.taskId()));
    assertThat(inFlight.settle(2, 1, i -> i.succeeded("done"))).isTrue();
    drain();

    assertThat(overdue.events).containsExactly("failed timed out 1 on completions");
    assertThat(inTime.events).containsExactly("ok done on completions");
  }

  @Test
  void aCancelledTaskThatExpiresIsNotFailedAgain() throws Exception {
    Recorded cancelled = new Recorded(1, 1);
    cancelled.cancelled = true;
    inFlight.add(cancelled, 0);

    inFlight.expire(1, i -> new IllegalStateException("timed out"));
    drain();

    assertThat(cancelled.events).isEmpty();
    assertThat(inFlight.size()).isZero();
  }

  @Test
  void failAllSettlesEveryAttemptOnce() throws Exception {
    Recorded a = new Recorded(1, 1);
    Recorded b = new Recorded(2, 3);
    inFlight.add(a, Long.MAX_VALUE);
    inFlight.add(b, Long.MAX_VALUE);

    inFlight.failAll(i -> new IllegalStateException("closed " + i.taskId()));
    inFlight.failAll(i -> new IllegalStateException("again"));
    drain();

    assertThat(a.events).containsExactly("failed closed 1 on completions");
    assertThat(b.events).containsExactly("failed closed 2 on completions");
  }

  @Test
  void settlingAfterTheCompletionExecutorStoppedStillCompletesTheTask() {
    Recorded task = new Recorded(1, 1);
    inFlight.add(task, Long.MAX_VALUE);
    completions.shutdown();

    inFlight.settle(1, 1, i -> i.succeeded("late"));

    assertThat(task.events).containsExactly("ok late on " + Thread.currentThread().getName());
  }
}
