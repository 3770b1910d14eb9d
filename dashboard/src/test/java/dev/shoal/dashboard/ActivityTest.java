package dev.shoal.dashboard;

import static dev.shoal.dashboard.Tasks.T0;
import static dev.shoal.dashboard.Tasks.at;
import static dev.shoal.dashboard.Tasks.ran;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.taskdb.TaskState;
import dev.shoal.taskdb.ThroughputPoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityTest {
  @Test
  void waitingAndRunningAreAveragedOverEachInterval() {
    // Waits from 0.5 s to 1.5 s, runs from 1.5 s to 3.5 s; another runs 0.25 s within the first second.
    Activity activity = Activity.of(List.of(
            ran(1, "w", TaskState.DONE, 0.5, 1.5, 3.5, 3.6),
            ran(2, "w", TaskState.DONE, 0.0, 0.25, 0.5, 0.5)),
        List.of(new ThroughputPoint(at(0), 1, 1, 0), new ThroughputPoint(at(1), 1, 0, 0),
            new ThroughputPoint(at(3), 0, 1, 1)),
        T0, at(4), Duration.ofSeconds(1));
    assertThat(activity.bucket()).isEqualTo(Duration.ofSeconds(1));
    assertThat(activity.points()).extracting(Activity.Point::from).containsExactly(at(0), at(1), at(2), at(3));
    assertThat(activity.points()).extracting(Activity.Point::waiting).containsExactly(0.75, 0.5, 0.0, 0.0);
    assertThat(activity.points()).extracting(Activity.Point::running).containsExactly(0.25, 0.5, 1.0, 0.5);
    // The reader's counts, with the empty intervals between them filled in.
    assertThat(activity.points()).extracting(Activity.Point::started).containsExactly(1L, 1L, 0L, 0L);
    assertThat(activity.points()).extracting(Activity.Point::finished).containsExactly(1L, 0L, 0L, 1L);
    assertThat(activity.points()).extracting(Activity.Point::failed).containsExactly(0L, 0L, 0L, 1L);
  }

  @Test
  void aTaskStillGoingCountsUpToTheEndAndATaskThatNeverStartedWaitsUntilItFinished() {
    Activity activity = Activity.of(List.of(
            ran(1, "w", TaskState.RUNNING, 0, 1.0, null, null),
            ran(2, null, TaskState.FAILED, 0, null, null, 2.0),
            ran(3, null, TaskState.QUEUED, 1.0, null, null, null)),
        List.of(), T0, at(3), Duration.ofSeconds(1));
    assertThat(activity.points()).extracting(Activity.Point::running).containsExactly(0.0, 1.0, 1.0);
    assertThat(activity.points()).extracting(Activity.Point::waiting).containsExactly(2.0, 2.0, 1.0);
  }

  @Test
  void aLongTaskCostsNothingPerInterval() {
    // One task over a million intervals is counted with two partial intervals and a difference array.
    Activity activity = Activity.of(List.of(ran(1, "w", TaskState.DONE, 0, 0.0005, 9.9995, 10.0)), List.of(), T0,
        at(10), Duration.ofMillis(1));
    assertThat(activity.points()).hasSize(10_000);
    assertThat(activity.points().get(0).running()).isEqualTo(0.5);
    assertThat(activity.points().get(5_000).running()).isEqualTo(1.0);
    assertThat(activity.points().get(9_999).running()).isEqualTo(0.5);
  }

  @Test
  void theDefaultBucketCutsTheRunIntoAtMostAHundredAndTwentyNiceIntervals() {
    assertThat(Activity.defaultBucket(T0, at(5))).isEqualTo(Duration.ofMillis(100));
    assertThat(Activity.defaultBucket(T0, at(30))).isEqualTo(Duration.ofMillis(500));
    assertThat(Activity.defaultBucket(T0, at(3_600))).isEqualTo(Duration.ofMinutes(1));
    assertThat(Activity.defaultBucket(T0, at(86_400 * 400))).isEqualTo(Duration.ofDays(1));
    assertThat(Activity.points(T0, at(3_600), Duration.ofMinutes(1))).isEqualTo(60);
    assertThat(Activity.points(T0, at(3_600.5), Duration.ofMinutes(1))).isEqualTo(61);
    assertThat(Activity.points(T0, T0, Duration.ofMinutes(1))).isEqualTo(1);
  }
}
