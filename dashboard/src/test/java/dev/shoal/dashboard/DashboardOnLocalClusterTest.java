package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.taskdb.ScalingRecord;
import dev.shoal.taskdb.TaskDatabase;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskEventRecord;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.WorkerRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over a run on the local default: two worker JVMs started by the autoscaler, each task's
 * queue steps, the workers with their start and end, and the scaling decisions with their reasons.
 */
class DashboardOnLocalClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void workersScalingAndTheTimelineOfAQueueRunAreTheReaders() throws Exception {
    Path database = dir.resolve("monitoring.db");
    LocalCluster cluster = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(2)
        .inProcessBurst(false)
        .logDir(dir.resolve("workers"))
        .configure(builder -> builder.maxTasksPerMessage(1).taskTimeout(WAIT))
        .configureScaling(builder -> builder.tick(Duration.ofMillis(200)))
        .build();
    String runId;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir.resolve("runinfo")).executor(cluster)
        .listener(TaskDatabase.builder(database).flushEvery(Duration.ofMillis(50)).build()).build()) {
      runId = dfk.runId();
      List<AppFuture<Long>> sleeps = new ArrayList<>();
      for (long i = 0; i < 6; i++) {
        sleeps.add(dfk.call(DashboardTestApps.SLEEP, 150L, i));
      }
      for (int i = 0; i < sleeps.size(); i++) {
        assertThat(sleeps.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo((long) i);
      }
    }

    try (Dashboard dashboard = Dashboard.builder().database(database).build();
        TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
      ApiClient api = new ApiClient(dashboard.url());
      String run = "/api/runs/" + runId;
      assertThat(api.json(run).get("states").get("done").asLong()).isEqualTo(6);

      JsonNode workers = api.json(run + "/workers");
      List<WorkerRecord> expectedWorkers = reader.workers(runId);
      assertThat(workers.size()).isEqualTo(expectedWorkers.size()).isBetween(1, 2);
      for (int i = 0; i < expectedWorkers.size(); i++) {
        WorkerRecord expected = expectedWorkers.get(i);
        JsonNode worker = workers.get(i);
        assertThat(worker.get("worker").asText()).isEqualTo(expected.worker()).startsWith("local-");
        assertThat(worker.get("startDetail").asText()).isEqualTo(expected.startDetail()).startsWith("worker JVM");
        assertThat(worker.get("started").asLong()).isEqualTo(JsonMapping.micros(expected.started()));
        assertThat(worker.get("ended").asLong()).isEqualTo(JsonMapping.micros(expected.ended()));
        assertThat(worker.get("endDetail").asText()).isEqualTo(expected.endDetail());
        assertThat(worker.get("tasksRun").asLong()).isEqualTo(expected.tasksRun());
      }

      JsonNode scaling = api.json(run + "/scaling");
      List<ScalingRecord> decisions = reader.scaling(runId);
      assertThat(scaling.size()).isEqualTo(decisions.size()).isPositive();
      for (int i = 0; i < decisions.size(); i++) {
        assertThat(scaling.get(i).get("action").asText()).isEqualTo(decisions.get(i).action());
        assertThat(scaling.get(i).get("reason").asText()).isEqualTo(decisions.get(i).reason());
        assertThat(scaling.get(i).get("desiredWorkers").asInt()).isEqualTo(decisions.get(i).desiredWorkers());
        assertThat(scaling.get(i).get("at").asLong()).isEqualTo(JsonMapping.micros(decisions.get(i).at()));
      }
      assertThat(scaling.get(0).get("action").asText()).isEqualTo("scale out");

      // Each bar on the row of the worker JVM that ran it, from the worker's own clock.
      JsonNode timeline = api.json(run + "/timeline");
      assertThat(timeline.get("bars").size()).isEqualTo(6);
      Set<String> rows = new HashSet<>();
      timeline.get("rows").forEach(row -> rows.add(row.get("worker").asText()));
      assertThat(rows).isSubsetOf(expectedWorkers.stream().map(WorkerRecord::worker).toList());
      for (JsonNode bar : timeline.get("bars")) {
        TaskRecord task = reader.task(runId, bar.get("taskId").asLong()).orElseThrow();
        assertThat(timeline.get("rows").get(bar.get("row").asInt()).get("worker").asText()).isEqualTo(task.worker());
        assertThat(bar.get("end").asLong() - bar.get("start").asLong()).isGreaterThanOrEqualTo(150_000);
      }

      // The queue's steps, in the detail of a task.
      TaskRecord first = reader.tasks(runId, TaskQuery.first(1)).get(0);
      JsonNode detail = api.json(run + "/tasks/" + first.taskId());
      assertThat(detail.get("task").get("queued").asLong()).isEqualTo(JsonMapping.micros(first.queued()));
      assertThat(detail.get("task").get("received").asLong()).isEqualTo(JsonMapping.micros(first.received()));
      assertThat(detail.get("events").findValuesAsText("transition"))
          .isEqualTo(reader.events(runId, first.taskId()).stream().map(TaskEventRecord::transition).toList())
          .contains("QUEUED", "RECEIVED", "STARTED", "ENDED", "DONE");
      JsonNode activity = api.json(run + "/throughput?bucket=100ms");
      double waited = 0;
      for (JsonNode point : activity.get("points")) {
        waited += point.get("waiting").asDouble();
      }
      // The first tasks waited on the queue while the worker JVMs started.
      assertThat(waited).isPositive();
    }
  }
}
