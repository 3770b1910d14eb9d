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
 * @param origin the run's start, which times on the chart are counted from
 * @param from the left edge: when the first task started (the time before it, workers starting
 *     and tasks waiting on the queue, shows in {@link Activity}; a Gantt chart is about the bars)
 * @param end the right edge: the run's end, or now while it runs (later if a worker's clock says so)
 * @param rows the workers, in the order they first started a task, each with as many lanes as it
 *     ran tasks at once
 * @param started how many tasks started, whether drawn as bars or aggregated
 * @param bars one per task that started, in start order; empty when aggregated
 * @param aggregate the columns, when there were too many bars; else null
 */
record Timeline(Instant origin, Instant from, Instant end, List<Row> rows, long started, List<Bar> bars, Aggregate aggregate) {
  /** Columns of an aggregated chart: about one per two pixels of a wide screen. */
  static final int COLUMNS = 600;
  /** The worker of a task that started with no worker recorded. */
  static final String UNKNOWN_WORKER = "(unknown worker)";

  /**
   * A worker's row: one lane per task it ran at once at most (its slots, as far as they were
   * used), so that the bars of tasks that overlapped lie side by side instead of on each other.
   */
  record Row(String worker, int lanes) {}

  /**
   * A task's run on its worker.
   *
   * @param lane the lane of its row, from 0
   * @param open the task has not ended: the bar runs to {@code end}, which is now
   */
  record Bar(long taskId, String app, int row, int lane, Instant start, Instant end, TaskState state, boolean open) {}

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
    // Per row, when the last bar of each lane ends: a bar takes the first lane free at its start.
    List<List<Instant>> laneEnds = new ArrayList<>();
    List<Bar> bars = new ArrayList<>(started.size());
    Instant right = end;
    for (TaskRecord task : started) {
      String worker = task.worker() == null ? UNKNOWN_WORKER : task.worker();
      int row = rows.computeIfAbsent(worker, w -> {
        laneEnds.add(new ArrayList<>());
        return rows.size();
      });
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
      List<Instant> lanes = laneEnds.get(row);
      int lane = 0;
      while (lane < lanes.size() && lanes.get(lane).isAfter(task.started())) {
        lane++;
      }
      if (lane == lanes.size()) {
        lanes.add(barEnd);
      } else {
        lanes.set(lane, barEnd);
      }
      bars.add(new Bar(task.taskId(), task.app(), row, lane, task.started(), barEnd, task.state(), open));
    }
    Instant left = started.isEmpty() ? origin : started.get(0).started();
    List<Row> rowList = new ArrayList<>();
    rows.forEach((worker, row) -> rowList.add(new Row(worker, laneEnds.get(row).size())));
    if (bars.size() <= maxBars) {
      return new Timeline(origin, left, right, List.copyOf(rowList), bars.size(), bars, null);
    }
    // Aggregated, each worker is one row again: the cells count its tasks at once.
    List<Row> single = rowList.stream().map(row -> new Row(row.worker(), 1)).toList();
    return new Timeline(origin, left, right, single, bars.size(), List.of(), aggregate(bars, rowList.size(), left, right));
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
