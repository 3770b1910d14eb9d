package dev.shoal.taskdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on the local default recorded in the task database: the queue's steps, the worker JVMs
 * that ran each task as their results say, the pool's workers and its scaling decisions.
 */
class TaskDatabaseOnLocalClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void theQueuePathIsRecordedStepByStepWithTheWorkersOfThePool() throws Exception {
    Path file = dir.resolve("monitoring.db");
    LocalCluster cluster = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(2)
        .workerIdleTimeout(Duration.ofSeconds(2))
        .inProcessBurst(false)
        .logDir(dir.resolve("workers"))
        .configure(builder -> builder.maxTasksPerMessage(1).taskTimeout(WAIT))
        .configureScaling(builder -> builder.tick(Duration.ofMillis(200)))
        .build();
    String runId;
    List<AppFuture<Long>> sleeps = new ArrayList<>();
    TaskDatabase db = TaskDatabase.builder(file).flushEvery(Duration.ofMillis(50)).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir.resolve("runinfo")).executor(cluster).listener(db)
        .build()) {
      runId = dfk.runId();
      for (long i = 0; i < 6; i++) {
        sleeps.add(dfk.call(MonitorTestApps.SLEEP, 200L, i));
      }
      for (int i = 0; i < sleeps.size(); i++) {
        assertThat(sleeps.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo((long) i);
      }
      // The idle workers leave by themselves; their end is recorded while the run is still open.
      Await.until(WAIT, () -> {
        db.flush(Duration.ofSeconds(5));
        try (TaskDatabaseReader reader = TaskDatabaseReader.open(file)) {
          List<WorkerRecord> workers = reader.workers(runId);
          return !workers.isEmpty() && workers.stream().allMatch(worker -> worker.ended() != null);
        }
      }, () -> "the workers to leave and be recorded");
    }

    try (TaskDatabaseReader reader = TaskDatabaseReader.open(file)) {
      List<TaskRecord> tasks = reader.tasks(runId, TaskQuery.first(100));
      assertThat(tasks).hasSize(6).allSatisfy(task -> {
        assertThat(task.state()).isEqualTo(TaskState.DONE);
        assertThat(task.executor()).isEqualTo(cluster.label());
        assertThat(task.worker()).startsWith("local-");
        assertThat(task.queued()).isAfterOrEqualTo(task.launched());
        // The worker's clock is this machine's: its steps fall between the client's.
        assertThat(task.received()).isAfterOrEqualTo(task.queued()).isBeforeOrEqualTo(task.started());
        assertThat(task.ended()).isAfterOrEqualTo(task.started().plusMillis(200)).isBeforeOrEqualTo(task.finished());
        assertThat(reader.events(runId, task.taskId())).extracting(TaskEventRecord::transition)
            .containsExactlyInAnyOrder("SUBMITTED", "LAUNCHED", "QUEUED", "RECEIVED", "STARTED", "ENDED", "DONE");
      });

      List<WorkerRecord> workers = reader.workers(runId);
      assertThat(workers).isNotEmpty().allSatisfy(worker -> {
        assertThat(worker.worker()).startsWith("local-");
        assertThat(worker.startDetail()).startsWith("worker JVM, pid ");
        assertThat(worker.endDetail()).isEqualTo("exit code 0");
        assertThat(worker.started()).isBefore(worker.ended());
      });
      assertThat(workers.stream().mapToLong(WorkerRecord::tasksRun).sum()).isEqualTo(6);
      assertThat(workers).extracting(WorkerRecord::worker)
          .containsAll(tasks.stream().map(TaskRecord::worker).distinct().toList());

      List<ScalingRecord> scaling = reader.scaling(runId);
      assertThat(scaling).isNotEmpty();
      assertThat(scaling.get(0).action()).isEqualTo("scale out");
      assertThat(scaling.get(0).launched()).isPositive();
      assertThat(scaling.get(0).reason()).startsWith("scale out 0 -> ");
      assertThat(scaling).anySatisfy(decision -> assertThat(decision.action()).isEqualTo("scale in"));

      // Read at every tick: the burst waits in the queue at some point, and the pool drains it.
      List<dev.shoal.monitor.QueueSample> depth = reader.queueDepth(runId);
      assertThat(depth).extracting(sample -> sample.waiting() + sample.inFlight()).anyMatch(messages -> messages > 0);
      assertThat(depth.get(depth.size() - 1).waiting()).isZero();
      assertThat(depth).extracting(dev.shoal.monitor.QueueSample::workers).contains(0).anyMatch(size -> size > 0);
    }
  }
}
