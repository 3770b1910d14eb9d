package dev.shoal.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.DataFlowKernel;
import dev.shoal.config.ShoalConfig;
import dev.shoal.taskdb.MonitorTestApps;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A program configured by file is watched as its monitoring section says, with shoal-monitor on its class path. */
class ConfiguredMonitoringTest {
  @TempDir Path dir;

  private String run(String yaml) throws Exception {
    Path file = dir.resolve("shoal.yaml");
    Files.writeString(file, yaml);
    try (DataFlowKernel dfk = DataFlowKernel.builder().configure(ShoalConfig.load(file, Map.of(), Map.of())).build()) {
      dfk.call(MonitorTestApps.SQUARE, 4L).join();
      return dfk.runId();
    }
  }

  @Test
  void byDefaultEachRunGoesToTheDatabaseInTheRunsFolder() throws Exception {
    Path runs = dir.resolve("runs");
    String first = run("runDir: " + runs + "\n");
    String second = run("runDir: " + runs + "\n");
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(runs.resolve("monitoring.db"))) {
      assertThat(reader.runs()).extracting(run -> run.runId()).containsExactlyInAnyOrder(first, second);
      assertThat(reader.run(first).orElseThrow().succeeded()).isEqualTo(1);
    }
  }

  @Test
  void aDatabaseFileCanBeNamedOrTurnedOff() throws Exception {
    Path named = dir.resolve("elsewhere/watch.db");
    String runId = run("runDir: " + dir.resolve("runs") + "\nmonitoring:\n  database: " + named + "\n  progress: off\n");
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(named)) {
      assertThat(reader.run(runId)).isPresent();
    }
    assertThat(dir.resolve("runs/monitoring.db")).doesNotExist();

    run("runDir: " + dir.resolve("quiet") + "\nmonitoring:\n  database: off\n");
    assertThat(dir.resolve("quiet/monitoring.db")).doesNotExist();
  }
}
