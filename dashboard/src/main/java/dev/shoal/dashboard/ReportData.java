package dev.shoal.dashboard;

import dev.shoal.taskdb.AppStatistics;
import dev.shoal.taskdb.ScalingRecord;
import dev.shoal.taskdb.WorkerRecord;
import java.time.Instant;
import java.util.List;

/**
 * Everything a report shows of a run, embedded in its page as JSON: the same values the API
 * serves, gathered at once.
 *
 * @param generated when the report was written
 * @param failures the run's failed tasks with their errors, the first {@link Report#MAX_FAILURES} by id,
 *     with {@code total} saying how many there are
 */
record ReportData(String format, Instant generated, RunSummary summary, List<AppStatistics> apps,
    TaskPage failures, List<WorkerRecord> workers, List<ScalingRecord> scaling, Timeline timeline,
    Activity activity, Dag dag) {
  static final String FORMAT = "shoal-report/1";
}
