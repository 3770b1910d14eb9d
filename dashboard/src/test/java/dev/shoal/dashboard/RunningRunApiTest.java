package dev.shoal.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabase;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that has not ended, as the API serves it: running, measured against the server's clock. */
class RunningRunApiTest {
  @TempDir Path dir;

  @Test
  void aRunningRunIsServedAsRunningUntilItEnds() throws Exception {
    Path database = dir.resolve("live.db");
    Path gate = dir.resolve("gate");
    TaskDatabase db = TaskDatabase.builder(database).flushEvery(Duration.ofMillis(20)).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir.resolve("runinfo"))
        .executor(ThreadPoolTaskExecutor.builder().label("threads").threads(2).build()).listener(db).build()) {
      AppFuture<Long> done = dfk.call(DashboardTestApps.SQUARE, 3L);
      assertThat(done.join()).isEqualTo(9L);
      AppFuture<Long> gated = dfk.call(DashboardTestApps.GATE, gate.toString());
      AppFuture<Long> waiting = dfk.call(DashboardTestApps.SQUARE, gated);
      assertThat(db.flush(Duration.ofSeconds(10))).isTrue();

      Instant started;
      try (TaskDatabaseReader reader = TaskDatabaseReader.open(database)) {
        started = reader.run(dfk.runId()).map(RunRecord::started).orElseThrow();
      }
      // The server's clock says the run has gone on for exactly an hour.
      Clock inAnHour = Clock.fixed(started.plus(Duration.ofHours(1)), ZoneOffset.UTC);
      try (Dashboard dashboard = Dashboard.builder().database(database).clock(inAnHour).build()) {
        ApiClient api = new ApiClient(dashboard.url());
        String run = "/api/runs/" + dfk.runId();
        JsonNode summary = api.json(run);
        assertThat(summary.get("running").asBoolean()).isTrue();
        assertThat(summary.get("run").get("ended").isNull()).isTrue();
        assertThat(summary.get("elapsed").asLong()).isEqualTo(3_600_000_000L);
        assertThat(summary.get("states").get("done").asLong()).isEqualTo(1);
        assertThat(summary.get("states").get("launched").asLong()).isEqualTo(1);
        assertThat(summary.get("states").get("pending").asLong()).isEqualTo(1);
        assertThat(summary.get("finished").asLong()).isEqualTo(1);
        assertThat(api.json("/api/runs").get(0).get("ended").isNull()).isTrue();

        // The gated task waits from its launch to now: an hour's worth of minutes, on average one task.
        JsonNode activity = api.json(run + "/throughput?bucket=1m");
        assertThat(activity.get("points").size()).isEqualTo(60);
        assertThat(activity.get("points").get(30).get("waiting").asDouble()).isEqualTo(1.0);
        assertThat(activity.get("points").get(30).get("running").asDouble()).isEqualTo(0.0);
        HttpResponse<String> tooFine = api.get(run + "/throughput?bucket=1ms");
        assertThat(tooFine.statusCode()).isEqualTo(400);
        assertThat(api.parse(tooFine.body()).get("error").asText()).contains("3600000 intervals");
        assertThat(api.json(run + "/throughput").get("points").size()).isBetween(2, Activity.DEFAULT_POINTS);
        assertThat(api.json(run + "/timeline").get("end").asLong())
            .isEqualTo(JsonMapping.micros(started.plus(Duration.ofHours(1))));

        Files.createFile(gate);
        assertThat(waiting.join()).isEqualTo(1L);
      }
    }
  }
}
