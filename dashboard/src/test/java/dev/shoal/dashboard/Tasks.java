package dev.shoal.dashboard;

import dev.shoal.taskdb.TaskRecord;
import dev.shoal.taskdb.TaskState;
import java.time.Instant;
import java.util.List;

/** Task rows made up for the unit tests of the views, with times in seconds from {@link #T0}. */
final class Tasks {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private Tasks() {}

  static Instant at(double seconds) {
    return T0.plusNanos(Math.round(seconds * 1e9));
  }

  static TaskRecord task(long id, String app, TaskState state, List<Long> inputs) {
    return new TaskRecord("run", id, app, "threads", inputs, null, state, 1, null, T0, null, null, null, null, null,
        null, null, false);
  }

  /** A task that waited on its executor from {@code launched} and ran on {@code worker} from {@code started} to {@code ended}. */
  static TaskRecord ran(long id, String worker, TaskState state, double launched, Double started, Double ended,
      Double finished) {
    return new TaskRecord("run", id, "app", "threads", List.of(), null, state, 1, worker, T0, at(launched), null, null,
        started == null ? null : at(started), ended == null ? null : at(ended), finished == null ? null : at(finished),
        null, false);
  }
}
