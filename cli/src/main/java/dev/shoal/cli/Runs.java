package dev.shoal.cli;

import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.util.stream.Collectors;

/** Picks the run a command is about: the one named, or the latest. */
final class Runs {
  private Runs() {}

  static RunRecord pick(TaskDatabaseReader reader, String runId) {
    if (runId == null) {
      return reader.latestRun().orElseThrow(() ->
          new IllegalArgumentException("the task database " + reader.file() + " holds no run yet"));
    }
    return reader.run(runId).orElseThrow(() -> new IllegalArgumentException("no run '" + runId + "' in "
        + reader.file() + "; the latest: " + reader.runs().stream().limit(5).map(RunRecord::runId)
        .collect(Collectors.joining(", "))));
  }
}
