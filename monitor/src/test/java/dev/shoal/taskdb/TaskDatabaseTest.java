package dev.shoal.taskdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run recorded in the task database, on the thread executor, and read back. */
class TaskDatabaseTest {
  @TempDir Path dir;

  private DataFlowKernel kernel(TaskDatabase db) {
    return DataFlowKernel.builder().runDir(dir.resolve("runinfo")).program("TaskDatabaseTest")
        .executor(ThreadPoolTaskExecutor.builder().label("threads").threads(2).build())
        .listener(db)
        .build();
  }

  @Test
  void aFinishedRunIsReadBackTaskByTask() {
    Path file = dir.resolve("monitoring.db");
    String runId;
    List<AppFuture<Long>> squares = new ArrayList<>();
    AppFuture<Long> total;
    AppFuture<Long> failed;
    AppFuture<Long> skipped;
    AppFuture<Long> memoFirst;
    AppFuture<Long> memoAgain;
    try (DataFlowKernel dfk = kernel(TaskDatabase.open(file))) {
      runId = dfk.runId();
      for (long i = 1; i <= 4; i++) {
        squares.add(dfk.call(MonitorTestApps.SQUARE, i));
      }
      total = dfk.call(MonitorTestApps.TOTAL, Arg.all(squares));
      failed = dfk.call(MonitorTestApps.FAIL, "bad input 42");
      skipped = dfk.call(MonitorTestApps.SQUARE, failed);
      memoFirst = dfk.call(MonitorTestApps.MEMO_SQUARE, 9L);
      memoFirst.join();
      memoAgain = dfk.call(MonitorTestApps.MEMO_SQUARE, 9L);
      assertThat(total.join()).isEqualTo(30L);
      assertThat(memoAgain.join()).isEqualTo(81L);
      assertThatThrownBy(skipped::join).isInstanceOf(CompletionException.class);
    }

    try (TaskDatabaseReader db = TaskDatabaseReader.open(file)) {
      RunRecord run = db.run(runId).orElseThrow();
      assertThat(run.running()).isFalse();
      assertThat(run.program()).isEqualTo("TaskDatabaseTest");
      assertThat(run.executors()).containsExactly("threads");
      assertThat(run.submitted()).isEqualTo(9);
      assertThat(run.succeeded()).isEqualTo(7);
      assertThat(run.failed()).isEqualTo(1);
      assertThat(run.dependencyFailed()).isEqualTo(1);
      assertThat(db.stateCounts(runId)).isEqualTo(Map.of(TaskState.DONE, 7L, TaskState.FAILED, 1L,
          TaskState.DEP_FAILED, 1L));

      TaskRecord sum = db.task(runId, total.taskId()).orElseThrow();
      assertThat(sum.app()).isEqualTo("taskdb.total");
      assertThat(sum.state()).isEqualTo(TaskState.DONE);
      assertThat(sum.dependsOn()).containsExactlyElementsOf(squares.stream().map(AppFuture::taskId).toList());
      assertThat(sum.argsDigest()).matches("[0-9a-f]{64}");
      assertThat(sum.worker()).startsWith("shoal-threads");
      assertThat(sum.attempts()).isEqualTo(1);
      // Each step after the one before it.
      assertThat(sum.launched()).isAfterOrEqualTo(sum.submitted());
      assertThat(sum.started()).isAfterOrEqualTo(sum.launched());
      assertThat(sum.ended()).isAfterOrEqualTo(sum.started());
      assertThat(sum.finished()).isAfterOrEqualTo(sum.ended());
      assertThat(sum.queued()).isNull(); // threads have no queue
      assertThat(sum.runTime()).isNotNull();

      TaskRecord failure = db.task(runId, failed.taskId()).orElseThrow();
      assertThat(failure.state()).isEqualTo(TaskState.FAILED);
      assertThat(failure.error()).isEqualTo("java.lang.IllegalArgumentException: bad input 42");
      TaskRecord notRun = db.task(runId, skipped.taskId()).orElseThrow();
      assertThat(notRun.state()).isEqualTo(TaskState.DEP_FAILED);
      assertThat(notRun.dependsOn()).containsExactly(failed.taskId());
      assertThat(notRun.started()).isNull();
      assertThat(notRun.error()).contains("bad input 42");
      assertThat(db.task(runId, memoAgain.taskId()).orElseThrow().reused()).isTrue();
      assertThat(db.task(runId, memoFirst.taskId()).orElseThrow().reused()).isFalse();

      assertThat(db.events(runId, total.taskId())).extracting(TaskEventRecord::transition)
          .containsExactly("SUBMITTED", "LAUNCHED", "STARTED", "ENDED", "DONE");

      assertThat(db.tasks(runId, TaskQuery.first(100).inState(TaskState.FAILED))).extracting(TaskRecord::taskId)
          .containsExactly(failed.taskId());
      assertThat(db.tasks(runId, TaskQuery.first(100).ofApp("taskdb.square"))).hasSize(5);
      assertThat(db.tasks(runId, TaskQuery.first(100).containing("bad input"))).extracting(TaskRecord::taskId)
          .containsExactly(failed.taskId(), skipped.taskId());
      assertThat(db.tasks(runId, TaskQuery.first(2).from(3))).extracting(TaskRecord::taskId).containsExactly(4L, 5L);
      assertThat(db.count(runId, TaskQuery.first(0).ofApp("taskdb.square"))).isEqualTo(5);

      AppStatistics squareStats = db.appStatistics(runId).stream().filter(s -> s.app().equals("taskdb.square"))
          .findFirst().orElseThrow();
      assertThat(squareStats.tasks()).isEqualTo(5);
      assertThat(squareStats.done()).isEqualTo(4);
      assertThat(squareStats.dependencyFailed()).isEqualTo(1);
      assertThat(squareStats.medianRunTime()).isNotNull();

      List<ThroughputPoint> series = db.throughput(runId, Duration.ofSeconds(1));
      assertThat(series.stream().mapToLong(ThroughputPoint::finished).sum()).isEqualTo(9);
      assertThat(series.stream().mapToLong(ThroughputPoint::failed).sum()).isEqualTo(2);
      assertThat(series.stream().mapToLong(ThroughputPoint::started).sum()).isEqualTo(7); // memo hit and dep-failed never ran

      assertThat(db.workers(runId)).isNotEmpty().allSatisfy(worker -> {
        assertThat(worker.worker()).startsWith("shoal-threads");
        assertThat(worker.firstTask()).isNotNull();
      });
      assertThat(db.workers(runId).stream().mapToLong(WorkerRecord::tasksRun).sum()).isEqualTo(7);
    }
  }

  @Test
  void aRetriedTaskKeepsEveryAttemptsStory() {
    Path file = dir.resolve("retries.db");
    String key = UUID.randomUUID().toString();
    String runId;
    AppFuture<Long> flaky;
    try (DataFlowKernel dfk = kernel(TaskDatabase.open(file))) {
      runId = dfk.runId();
      flaky = dfk.call(MonitorTestApps.FLAKY, key);
      assertThat(flaky.join()).isEqualTo(2L);
    }
    try (TaskDatabaseReader db = TaskDatabaseReader.open(file)) {
      TaskRecord task = db.task(runId, flaky.taskId()).orElseThrow();
      assertThat(task.state()).isEqualTo(TaskState.DONE);
      assertThat(task.attempts()).isEqualTo(2);
      assertThat(task.error()).isNull();
      List<TaskEventRecord> events = db.events(runId, flaky.taskId());
      assertThat(events).extracting(TaskEventRecord::transition).containsExactly("SUBMITTED", "LAUNCHED", "STARTED",
          "ENDED", "ATTEMPT_FAILED", "LAUNCHED", "STARTED", "ENDED", "DONE");
      assertThat(events).extracting(TaskEventRecord::attempt).containsExactly(0, 1, 1, 1, 1, 2, 2, 2, 2);
      assertThat(events.get(4).error()).isEqualTo("java.io.IOException: first call of " + key + " fails");
    }
  }

  @Test
  void aRunningRunShowsWhatRunsNow() throws Exception {
    Path file = dir.resolve("live.db");
    String key = UUID.randomUUID().toString();
    TaskDatabase db = TaskDatabase.builder(file).flushEvery(Duration.ofMillis(20)).build();
    try (DataFlowKernel dfk = kernel(db)) {
      AppFuture<Long> gated = dfk.call(MonitorTestApps.GATED, key);
      AppFuture<Long> waiting = dfk.call(MonitorTestApps.SQUARE, gated);
      // STARTED is reported when the app ends on the thread executor; the launch is known at once.
      assertThat(db.flush(Duration.ofSeconds(10))).isTrue();
      try (TaskDatabaseReader reader = TaskDatabaseReader.open(file)) {
        RunRecord run = reader.run(dfk.runId()).orElseThrow();
        assertThat(run.running()).isTrue();
        assertThat(run.submitted()).isEqualTo(2);
        assertThat(reader.task(dfk.runId(), gated.taskId()).orElseThrow().state()).isEqualTo(TaskState.LAUNCHED);
        assertThat(reader.task(dfk.runId(), waiting.taskId()).orElseThrow().state()).isEqualTo(TaskState.PENDING);
      }
      MonitorTestApps.open(key);
      assertThat(waiting.join()).isEqualTo(1L);
    }
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(file)) {
      assertThat(reader.latestRun().orElseThrow().running()).isFalse();
    }
  }

  @Test
  void oneFileHoldsRunAfterRun() {
    Path file = dir.resolve("runs.db");
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      try (DataFlowKernel dfk = kernel(TaskDatabase.open(file))) {
        runIds.add(dfk.runId());
        dfk.call(MonitorTestApps.SQUARE, (long) i).join();
      }
    }
    try (TaskDatabaseReader db = TaskDatabaseReader.open(file)) {
      assertThat(db.runs()).extracting(RunRecord::runId).containsExactlyInAnyOrderElementsOf(runIds);
      for (String runId : runIds) {
        assertThat(db.stateCounts(runId)).isEqualTo(Map.of(TaskState.DONE, 1L));
      }
    }
  }

  @Test
  void aWriterFarBehindDropsEventsAndCountsThemButTheRunGoesOn() {
    Path file = dir.resolve("small.db");
    TaskDatabase db = TaskDatabase.builder(file).maxQueued(5).flushEvery(Duration.ofSeconds(30)).build();
    List<AppFuture<Long>> squares = new ArrayList<>();
    try (DataFlowKernel dfk = kernel(db)) {
      for (long i = 0; i < 200; i++) {
        squares.add(dfk.call(MonitorTestApps.SQUARE, i));
      }
      for (int i = 0; i < squares.size(); i++) {
        assertThat(squares.get(i).join()).isEqualTo((long) i * i);
      }
    }
    assertThat(db.dropped()).isPositive();
  }

  @Test
  void aMissingFileIsAClearError() {
    assertThatThrownBy(() -> TaskDatabaseReader.open(dir.resolve("nope.db")))
        .isInstanceOf(TaskDatabaseException.class).hasMessageContaining("no task database at");
  }
}
