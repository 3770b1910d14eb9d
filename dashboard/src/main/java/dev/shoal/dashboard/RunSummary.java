package dev.shoal.dashboard;

import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run at a glance.
 *
 * @param run the run's row
 * @param running whether the run has not ended yet (the page polls while it has not)
 * @param states how many tasks are in each state now, by the {@code state} column's word; states
 *     with none are left out, as {@code TaskDatabaseReader.stateCounts} leaves them
 * @param tasks every task of the run the database knows
 * @param finished the tasks in a terminal state
 * @param elapsed from the run's start to its end, or to {@code asOf} while it runs
 * @param finishedPerSecond {@code finished} over {@code elapsed}
 * @param asOf when this was read: the run's end once it ended, else the server's clock
 */
record RunSummary(RunRecord run, boolean running, Map<String, Long> states, long tasks, long finished,
    Duration elapsed, double finishedPerSecond, Instant asOf) {

  static RunSummary of(RunRecord run, Map<TaskState, Long> counts, Instant now) {
    Map<String, Long> states = new LinkedHashMap<>();
    long tasks = 0;
    long finished = 0;
    for (Map.Entry<TaskState, Long> count : counts.entrySet()) {
      states.put(count.getKey().column(), count.getValue());
      tasks += count.getValue();
      if (count.getKey().isTerminal()) {
        finished += count.getValue();
      }
    }
    Instant asOf = run.running() ? now : run.ended();
    Duration elapsed = Duration.between(run.started(), asOf);
    if (elapsed.isNegative()) {
      elapsed = Duration.ZERO;
    }
    double seconds = elapsed.toNanos() / 1e9;
    double rate = seconds > 0 ? finished / seconds : 0;
    return new RunSummary(run, run.running(), states, tasks, finished, elapsed, rate, asOf);
  }
}
