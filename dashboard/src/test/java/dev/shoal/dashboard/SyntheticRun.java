package dev.shoal.dashboard;

import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.monitor.TaskEvent.Transition;
import dev.shoal.taskdb.TaskDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A large ended run written straight into a task database through its listener methods, as a
 * kernel would report it, without running thousands of tasks: four "map" tasks then a "reduce"
 * that takes them, over and over, spread over a pool of workers; one map in a hundred fails.
 */
final class SyntheticRun {
  private SyntheticRun() {}

  /** Writes the run and returns its id. */
  static String write(Path database, int tasks, int workers) {
    String runId = "synthetic-" + tasks;
    Instant start = Instant.parse("2025-03-01T12:00:00Z");
    long failed = 0;
    long depFailed = 0;
    Instant last = start;
    try (TaskDatabase db = TaskDatabase.open(database)) {
      db.runStarted(new RunInfo(runId, start, database.getParent(), List.of("pool"), "SyntheticRun"));
      boolean[] failedIds = new boolean[tasks + 1];
      for (int id = 1; id <= tasks; id++) {
        boolean reduce = id % 5 == 0;
        String app = reduce ? "reduce" : "map";
        List<Long> inputs = new ArrayList<>();
        if (reduce) {
          for (long input = id - 4; input < id; input++) {
            inputs.add(input);
          }
        }
        String worker = "worker-" + (id % workers);
        Instant submitted = start.plusMillis(id / 10);
        Instant began = start.plusMillis(100L * (id / workers) + 5);
        Instant ended = began.plus(Duration.ofMillis(60 + id % 30));
        db.task(event(runId, id, app, 0, Transition.SUBMITTED, submitted, null, null, inputs));
        boolean inputFailed = inputs.stream().anyMatch(input -> failedIds[input.intValue()]);
        if (inputFailed) {
          failedIds[id] = true;
          depFailed++;
          db.task(event(runId, id, app, 0, Transition.DEP_FAILED, ended, null, "DependencyFailedException: an input failed",
              List.of()));
          continue;
        }
        db.task(event(runId, id, app, 1, Transition.LAUNCHED, submitted, null, null, List.of()));
        db.task(event(runId, id, app, 1, Transition.STARTED, began, worker, null, List.of()));
        db.task(event(runId, id, app, 1, Transition.ENDED, ended, worker, null, List.of()));
        if (!reduce && id % 100 == 1) {
          failedIds[id] = true;
          failed++;
          db.task(event(runId, id, app, 1, Transition.FAILED, ended, worker, "java.lang.IllegalStateException: map " + id
              + " <b>failed</b>", List.of()));
        } else {
          db.task(event(runId, id, app, 1, Transition.DONE, ended, worker, null, List.of()));
        }
        if (ended.isAfter(last)) {
          last = ended;
        }
      }
      db.runEnded(new RunEnd(runId, last.plusMillis(10), tasks, tasks - failed - depFailed, failed, depFailed));
    }
    return runId;
  }

  private static TaskEvent event(String runId, long id, String app, int attempt, Transition transition, Instant at,
      String worker, String error, List<Long> inputs) {
    return new TaskEvent(runId, id, app, "pool", attempt, transition, at, worker, error, inputs, null);
  }
}
