package dev.shoal.dashboard;

import dev.shoal.taskdb.AppStatistics;
import dev.shoal.taskdb.RunRecord;
import dev.shoal.taskdb.ScalingRecord;
import dev.shoal.taskdb.TaskDatabaseReader;
import dev.shoal.taskdb.TaskQuery;
import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import dev.shoal.taskdb.WorkerRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the dashboard and the report show of a run, read from one reader: the API answers with
 * these, and the report embeds them, so both show the same thing. An unknown run or task is an
 * {@link ApiException} (404).
 */
final class RunViews {
  /** Task nodes up to which the DAG is drawn task by task (as SVG: a few thousand is what stays usable). */
  static final int MAX_DAG_NODES = 3_000;
  /** Bars up to which the Gantt chart gets every task (drawn on a canvas beyond 2,000). */
  static final int MAX_TIMELINE_BARS = 10_000;
  static final int MAX_PAGE = 1_000;

  private final TaskDatabaseReader reader;
  private final Clock clock;

  RunViews(TaskDatabaseReader reader, Clock clock) {
    this.reader = reader;
    this.clock = clock;
  }

  List<RunRecord> runs() {
    return reader.runs();
  }

  RunRecord run(String runId) {
    return reader.run(runId).orElseThrow(() -> ApiException.notFound("no run '" + runId + "' in the task database"));
  }

  RunSummary summary(String runId) {
    RunRecord run = run(runId);
    return RunSummary.of(run, reader.stateCounts(runId), clock.instant());
  }

  TaskPage tasks(String runId, TaskQuery query) {
    run(runId);
    return new TaskPage(reader.count(runId, query), query.offset(), query.limit(), reader.tasks(runId, query));
  }

  TaskDetail task(String runId, long taskId) {
    run(runId);
    TaskRecord task = reader.task(runId, taskId)
        .orElseThrow(() -> ApiException.notFound("no task " + taskId + " in run '" + runId + "'"));
    return new TaskDetail(task, reader.events(runId, taskId));
  }

  List<WorkerRecord> workers(String runId) {
    run(runId);
    return reader.workers(runId);
  }

  List<ScalingRecord> scaling(String runId) {
    run(runId);
    return reader.scaling(runId);
  }

  List<AppStatistics> apps(String runId) {
    run(runId);
    return reader.appStatistics(runId);
  }

  /** The failed tasks, where each failure started (not those that failed because an input did), by id. */
  TaskPage failures(String runId, int limit) {
    return tasks(runId, TaskQuery.first(limit).inState(TaskState.FAILED));
  }

  Timeline timeline(String runId) {
    RunRecord run = run(runId);
    return Timeline.of(allTasks(runId), run.started(), end(run), MAX_TIMELINE_BARS);
  }

  /** @param bucket the interval; empty for one that cuts the run into about a hundred */
  Activity activity(String runId, Optional<Duration> bucket) {
    RunRecord run = run(runId);
    Instant end = end(run);
    Duration width = bucket.orElseGet(() -> Activity.defaultBucket(run.started(), end));
    if (width.toNanos() < 1_000_000) {
      throw ApiException.badRequest("bucket must be at least 1 ms: " + width);
    }
    long points = Activity.points(run.started(), end, width);
    if (points > Activity.MAX_POINTS) {
      throw ApiException.badRequest("bucket " + width + " cuts this run into " + points + " intervals; at most "
          + Activity.MAX_POINTS + " are served");
    }
    return Activity.of(allTasks(runId), reader.throughput(runId, width), run.started(), end, width);
  }

  Dag dag(String runId) {
    run(runId);
    return Dag.of(allTasks(runId), MAX_DAG_NODES);
  }

  private List<TaskRecord> allTasks(String runId) {
    return reader.tasks(runId, TaskQuery.first(Integer.MAX_VALUE));
  }

  /** The run's end, or now while it runs (never before its start, whatever the clock says). */
  private Instant end(RunRecord run) {
    Instant end = run.running() ? clock.instant() : run.ended();
    return end.isBefore(run.started()) ? run.started() : end;
  }
}
