package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run per worker, as a Gantt chart: a bar from start to end for each task that started, on
 * the row of the worker that ran it. Beyond {@code maxBars} bars the page could not draw them
 * usefully (nor should it fetch them every second), so the chart is aggregated instead: each row
 * cut into {@link #COLUMNS} columns, each column saying how many tasks ran in it and how many of
 * those failed.
 *
 * @param origin the run's start: the left edge
 * @param end the right edge: the run's end, or now while it runs (later if a worker's clock says so)
 * @param rows the workers, in the order they first started a task
 * @param started how many tasks started, whether drawn as bars or aggregated
 * @param bars one per task that started, in start order; empty when aggregated
 * @param aggregate the columns, when there were too many bars; else null
 */
record Timeline(Instant origin, Instant end, List<String> rows, long started, List<Bar> bars, Aggregate aggregate) {
  /** Columns of an aggregated chart: about one per two pixels of a wide screen. */
  static final int COLUMNS = 600;
  /** The worker of a task that started with no worker recorded. */
  static final String UNKNOWN_WORKER = "(unknown worker)";

  /**
   * A task's run on its worker.
   *
   * @param open the task has not ended: the bar runs to {@code end}, which is now
   */
  record Bar(long taskId, String app, int row, Instant start, Instant end, TaskState state, boolean open) {}

  /** @param maxTasks the largest {@code tasks} of any cell, to scale the colours by */
  record Aggregate(int columns, Duration columnWidth, long maxTasks, List<Cell> cells) {}

  /** The tasks of one worker that ran at some time within one column; only cells with some are listed. */
  record Cell(int row, int column, long tasks, long failed) {}

  static Timeline of(List<TaskRecord> tasks, Instant origin, Instant end, int maxBars) {
    List<TaskRecord> started = new ArrayList<>();
    for (TaskRecord task : tasks) {
      if (task.started() != null) {
        started.add(task);
      }
    }
    started.sort(Comparator.comparing(TaskRecord::started).thenComparingLong(TaskRecord::taskId));
    Map<String, Integer> rows = new LinkedHashMap<>();
    List<Bar> bars = new ArrayList<>(started.size());
    Instant right = end;
    for (TaskRecord task : started) {
      String worker = task.worker() == null ? UNKNOWN_WORKER : task.worker();
      int row = rows.computeIfAbsent(worker, w -> rows.size());
      boolean open = task.ended() == null && !task.state().isTerminal();
      Instant barEnd;
      if (task.ended() != null) {
        barEnd = task.ended();
      } else if (open) {
        barEnd = end;
      } else {
        // Finished without an end of its own (it failed on the way back): as far as the client saw.
        barEnd = task.finished() != null ? task.finished() : task.started();
      }
      if (barEnd.isBefore(task.started())) {
        barEnd = task.started();
      }
      if (barEnd.isAfter(right)) {
        right = barEnd;
      }
      bars.add(new Bar(task.taskId(), task.app(), row, task.started(), barEnd, task.state(), open));
    }
    List<String> rowNames = List.copyOf(rows.keySet());
    if (bars.size() <= maxBars) {
      return new Timeline(origin, right, rowNames, bars.size(), bars, null);
    }
    return new Timeline(origin, right, rowNames, bars.size(), List.of(), aggregate(bars, rowNames.size(), origin, right));
  }

  private static Aggregate aggregate(List<Bar> bars, int rows, Instant origin, Instant end) {
    long span = Math.max(1, JsonMapping.micros(end) - JsonMapping.micros(origin));
    long width = Math.max(1, (span + COLUMNS - 1) / COLUMNS);
    // Difference arrays: each bar adds one over the columns it touches, in constant time.
    long[][] tasks = new long[rows][COLUMNS + 1];
    long[][] failed = new long[rows][COLUMNS + 1];
    long originMicros = JsonMapping.micros(origin);
    for (Bar bar : bars) {
      int first = column(JsonMapping.micros(bar.start()) - originMicros, width);
      int last = column(JsonMapping.micros(bar.end()) - originMicros, width);
      tasks[bar.row()][first]++;
      tasks[bar.row()][last + 1]--;
      if (bar.state() == TaskState.FAILED) {
        failed[bar.row()][first]++;
        failed[bar.row()][last + 1]--;
      }
    }
    List<Cell> cells = new ArrayList<>();
    long max = 0;
    for (int row = 0; row < rows; row++) {
      long running = 0;
      long failing = 0;
      for (int column = 0; column < COLUMNS; column++) {
        running += tasks[row][column];
        failing += failed[row][column];
        if (running > 0) {
          cells.add(new Cell(row, column, running, failing));
          max = Math.max(max, running);
        }
      }
    }
    return new Aggregate(COLUMNS, Duration.ofNanos(width * 1_000), max, cells);
  }

  private static int column(long offsetMicros, long width) {
    return (int) Math.max(0, Math.min(COLUMNS - 1, offsetMicros / width));
  }
}
