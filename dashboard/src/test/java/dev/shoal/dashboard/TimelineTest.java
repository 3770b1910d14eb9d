package dev.shoal.dashboard;

import static dev.shoal.dashboard.Tasks.T0;
import static dev.shoal.dashboard.Tasks.at;
import static dev.shoal.dashboard.Tasks.ran;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {
  @Test
  void tasksThatOverlapOnAWorkerGetLanesOfTheirOwn() {
    Timeline timeline = Timeline.of(List.of(
        ran(1, "w1", TaskState.DONE, 0, 0.0, 2.0, 2.0),
        ran(2, "w1", TaskState.DONE, 0, 1.0, 3.0, 3.0),
        ran(3, "w1", TaskState.FAILED, 0, 2.0, 4.0, 4.0),  // lane 0 is free again at 2 s
        ran(4, "w2", TaskState.DONE, 0, 0.5, 1.0, 1.0),
        ran(5, null, TaskState.PENDING, 0, null, null, null)), T0, at(5), 100);
    assertThat(timeline.rows()).containsExactly(new Timeline.Row("w1", 2), new Timeline.Row("w2", 1));
    assertThat(timeline.started()).isEqualTo(4);
    assertThat(timeline.aggregate()).isNull();
    assertThat(timeline.bars()).extracting(bar -> bar.taskId() + "@" + bar.row() + "." + bar.lane())
        .containsExactly("1@0.0", "4@1.0", "2@0.1", "3@0.0");
    assertThat(timeline.end()).isEqualTo(at(5));
    // The chart starts with the first task, not with the run.
    assertThat(timeline.origin()).isEqualTo(T0);
    assertThat(timeline.from()).isEqualTo(at(0));
    assertThat(Timeline.of(List.of(ran(1, "w", TaskState.DONE, 0, 2.5, 3.0, 3.0)), T0, at(5), 100).from())
        .isEqualTo(at(2.5));
    assertThat(Timeline.of(List.of(), T0, at(5), 100).from()).isEqualTo(T0);
  }

  @Test
  void aTaskStillRunningRunsToTheEndAndAFinishedOneWithoutAnEndToItsFinish() {
    Timeline timeline = Timeline.of(List.of(
        ran(1, "w", TaskState.RUNNING, 0, 1.0, null, null),
        ran(2, "w", TaskState.FAILED, 0, 1.0, null, 1.5),
        ran(3, null, TaskState.DONE, 0, 0.2, 0.4, 0.5)), T0, at(3), 100);
    Timeline.Bar running = timeline.bars().stream().filter(bar -> bar.taskId() == 1).findFirst().orElseThrow();
    assertThat(running.open()).isTrue();
    assertThat(running.end()).isEqualTo(at(3));
    Timeline.Bar failed = timeline.bars().stream().filter(bar -> bar.taskId() == 2).findFirst().orElseThrow();
    assertThat(failed.open()).isFalse();
    assertThat(failed.end()).isEqualTo(at(1.5));
    assertThat(timeline.rows()).extracting(Timeline.Row::worker).containsExactly(Timeline.UNKNOWN_WORKER, "w");
  }

  @Test
  void aWorkersClockAheadOfTheClientsWidensTheChart() {
    Timeline timeline = Timeline.of(List.of(ran(1, "w", TaskState.DONE, 0, 1.0, 7.0, 2.0)), T0, at(5), 100);
    assertThat(timeline.end()).isEqualTo(at(7));
  }

  @Test
  void beyondTheLimitBarsAreCountedPerWorkerAndColumn() {
    List<TaskRecord> tasks = new ArrayList<>();
    // 600 s on 600 columns: one second each. Worker a runs a task every second, b one long failing task.
    for (int i = 0; i < 600; i++) {
      tasks.add(ran(i, "a", TaskState.DONE, 0, i + 0.0, i + 0.5, i + 0.7));
    }
    tasks.add(ran(1000, "b", TaskState.FAILED, 0, 100.0, 299.5, 300.0));
    Timeline timeline = Timeline.of(tasks, T0, at(600), 500);
    assertThat(timeline.bars()).isEmpty();
    assertThat(timeline.started()).isEqualTo(601);
    assertThat(timeline.rows()).containsExactly(new Timeline.Row("a", 1), new Timeline.Row("b", 1));
    Timeline.Aggregate aggregate = timeline.aggregate();
    assertThat(aggregate.columns()).isEqualTo(Timeline.COLUMNS);
    assertThat(aggregate.columnWidth()).isEqualTo(Duration.ofSeconds(1));
    assertThat(aggregate.cells().stream().filter(cell -> cell.row() == 0)).hasSize(600)
        .allSatisfy(cell -> assertThat(cell.tasks()).isEqualTo(1));
    assertThat(aggregate.cells().stream().filter(cell -> cell.row() == 1)).hasSize(200)
        .allSatisfy(cell -> assertThat(cell.failed()).isEqualTo(1))
        .extracting(Timeline.Cell::column).startsWith(100).endsWith(299);
    assertThat(aggregate.maxTasks()).isEqualTo(1);
  }
}
