package dev.shoal.taskdb;

import static dev.shoal.taskdb.Schema.instant;
import static dev.shoal.taskdb.Schema.micros;

import dev.shoal.monitor.QueueSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.sqlite.SQLiteConfig;

/**
 * Reads a task database, while a run writes it or after. Each call is one query on a read-only
 * connection; it is safe from one thread at a time (open one reader per thread).
 */
public final class TaskDatabaseReader implements AutoCloseable {
  private static final String TASK_COLUMNS = "run_id, task_id, app, executor, depends_on, args_digest, state, "
      + "attempts, worker, submitted_at, launched_at, queued_at, received_at, started_at, ended_at, finished_at, "
      + "error, reused";

  private final Path file;
  private final Connection connection;

  private TaskDatabaseReader(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /** Opens an existing database for reading. */
  public static TaskDatabaseReader open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TaskDatabaseException("no task database at " + file.toAbsolutePath(), null);
    }
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setReadOnly(true);
      config.setBusyTimeout(5_000);
      Connection connection = config.createConnection("jdbc:sqlite:" + file);
      return new TaskDatabaseReader(file, connection);
    } catch (SQLException e) {
      throw new TaskDatabaseException("cannot open the task database " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
  }

  /** Every run, the latest first. */
  public List<RunRecord> runs() {
    return query("SELECT * FROM runs ORDER BY started_at DESC", statement -> {}, this::run);
  }

  public Optional<RunRecord> run(String runId) {
    return query("SELECT * FROM runs WHERE run_id = ?", statement -> statement.setString(1, runId), this::run)
        .stream().findFirst();
  }

  /** The run that started last, if any. */
  public Optional<RunRecord> latestRun() {
    return runs().stream().findFirst();
  }

  /** How many of the run's tasks are in each state now; states with none are left out. */
  public Map<TaskState, Long> stateCounts(String runId) {
    Map<TaskState, Long> counts = new EnumMap<>(TaskState.class);
    query("SELECT state, count(*) FROM tasks WHERE run_id = ? GROUP BY state",
        statement -> statement.setString(1, runId), rows -> {
          counts.put(TaskState.ofColumn(rows.getString(1)), rows.getLong(2));
          return null;
        });
    return counts;
  }

  /** The run's tasks that match, in id order. */
  public List<TaskRecord> tasks(String runId, TaskQuery filter) {
    StringBuilder sql = new StringBuilder("SELECT ").append(TASK_COLUMNS).append(" FROM tasks WHERE run_id = ?");
    List<Object> values = new ArrayList<>(List.of(runId));
    where(filter, sql, values);
    sql.append(" ORDER BY task_id LIMIT ? OFFSET ?");
    values.add(filter.limit());
    values.add(filter.offset());
    return query(sql.toString(), statement -> bind(statement, values), TaskDatabaseReader::task);
  }

  /** How many of the run's tasks match, whatever the query's offset and limit. */
  public long count(String runId, TaskQuery filter) {
    StringBuilder sql = new StringBuilder("SELECT count(*) FROM tasks WHERE run_id = ?");
    List<Object> values = new ArrayList<>(List.of(runId));
    where(filter, sql, values);
    return query(sql.toString(), statement -> bind(statement, values), rows -> rows.getLong(1)).get(0);
  }

  private static void where(TaskQuery filter, StringBuilder sql, List<Object> values) {
    filter.state().ifPresent(state -> {
      sql.append(" AND state = ?");
      values.add(state.column());
    });
    filter.app().ifPresent(app -> {
      sql.append(" AND app = ?");
      values.add(app);
    });
    filter.text().ifPresent(text -> {
      sql.append(" AND (instr(coalesce(error, ''), ?) > 0 OR instr(coalesce(worker, ''), ?) > 0)");
      values.add(text);
      values.add(text);
    });
  }

  public Optional<TaskRecord> task(String runId, long taskId) {
    return query("SELECT " + TASK_COLUMNS + " FROM tasks WHERE run_id = ? AND task_id = ?", statement -> {
      statement.setString(1, runId);
      statement.setLong(2, taskId);
    }, TaskDatabaseReader::task).stream().findFirst();
  }

  /**
   * Every transition of a task. A task that succeeded at its first attempt is stored as its row
   * alone (its row has the time of each step); its transitions are read back from it.
   */
  public List<TaskEventRecord> events(String runId, long taskId) {
    List<TaskEventRecord> recorded = query("SELECT task_id, attempt, transition, at, worker, error, detail "
        + "FROM task_events WHERE run_id = ? AND task_id = ? ORDER BY rowid", statement -> {
          statement.setString(1, runId);
          statement.setLong(2, taskId);
        }, rows -> new TaskEventRecord(rows.getLong(1), rows.getInt(2), rows.getString(3), instant(rows.getLong(4)),
            rows.getString(5), rows.getString(6), rows.getString(7)));
    if (!recorded.isEmpty()) {
      return recorded;
    }
    return task(runId, taskId).map(TaskDatabaseReader::eventsOf).orElse(List.of());
  }

  private static List<TaskEventRecord> eventsOf(TaskRecord task) {
    List<TaskEventRecord> events = new ArrayList<>();
    int attempt = task.attempts();
    addStep(events, task, 0, "SUBMITTED", task.submitted(), null, null);
    addStep(events, task, attempt, "LAUNCHED", task.launched(), null, null);
    addStep(events, task, attempt, "QUEUED", task.queued(), null, null);
    addStep(events, task, attempt, "RECEIVED", task.received(), task.worker(), null);
    addStep(events, task, attempt, "STARTED", task.started(), task.worker(), null);
    addStep(events, task, attempt, "ENDED", task.ended(), task.worker(), null);
    if (task.state().isTerminal()) {
      addStep(events, task, attempt, task.state().name(), task.finished(), null, task.reused() ? "memo" : null);
    }
    return events;
  }

  private static void addStep(List<TaskEventRecord> events, TaskRecord task, int attempt, String transition,
      Instant at, String worker, String detail) {
    if (at != null) {
      events.add(new TaskEventRecord(task.taskId(), attempt, transition, at, worker,
          transition.equals("FAILED") || transition.equals("DEP_FAILED") ? task.error() : null, detail));
    }
  }

  public List<WorkerRecord> workers(String runId) {
    return query("SELECT worker, executor, started_at, ended_at, start_detail, end_detail, first_task_at, "
        + "last_task_at, tasks_run FROM workers WHERE run_id = ? ORDER BY coalesce(started_at, first_task_at), worker",
        statement -> statement.setString(1, runId),
        rows -> new WorkerRecord(rows.getString(1), rows.getString(2), time(rows, 3), time(rows, 4), rows.getString(5),
            rows.getString(6), time(rows, 7), time(rows, 8), rows.getLong(9)));
  }

  public List<ScalingRecord> scaling(String runId) {
    return query("SELECT executor, at, action, from_workers, desired_workers, launched, queued_messages, reason "
        + "FROM scaling WHERE run_id = ? ORDER BY at", statement -> statement.setString(1, runId),
        rows -> new ScalingRecord(rows.getString(1), instant(rows.getLong(2)), rows.getString(3), rows.getInt(4),
            rows.getInt(5), rows.getInt(6), rows.getLong(7), rows.getString(8)));
  }

  /** The depth of the run's queues over time, as its pools' scaling steps read it. */
  public List<QueueSample> queueDepth(String runId) {
    return query("SELECT run_id, executor, at, waiting, in_flight, workers FROM queue_depth WHERE run_id = ? ORDER BY at",
        statement -> statement.setString(1, runId), rows -> new QueueSample(rows.getString(1), rows.getString(2),
            instant(rows.getLong(3)), rows.getLong(4), rows.getLong(5), rows.getInt(6)));
  }

  /** Per app: counts by outcome and the run times of its tasks. */
  public List<AppStatistics> appStatistics(String runId) {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, List<Long>> runTimes = new TreeMap<>();
    query("SELECT app, state, reused, started_at, ended_at FROM tasks WHERE run_id = ?",
        statement -> statement.setString(1, runId), rows -> {
          String app = rows.getString(1);
          long[] count = counts.computeIfAbsent(app, a -> new long[5]);
          count[0]++;
          switch (TaskState.ofColumn(rows.getString(2))) {
            case DONE -> count[1]++;
            case FAILED -> count[2]++;
            case DEP_FAILED -> count[3]++;
            default -> { }
          }
          if (rows.getInt(3) != 0) {
            count[4]++;
          }
          long started = rows.getLong(4);
          boolean hasStart = !rows.wasNull();
          long ended = rows.getLong(5);
          if (hasStart && !rows.wasNull()) {
            runTimes.computeIfAbsent(app, a -> new ArrayList<>()).add(ended - started);
          }
          return null;
        });
    List<AppStatistics> statistics = new ArrayList<>();
    counts.forEach((app, count) -> {
      long[] times = runTimes.getOrDefault(app, List.of()).stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(times);
      Duration mean = times.length == 0 ? null : Duration.ofNanos(Arrays.stream(times).sum() / times.length * 1_000);
      Duration median = times.length == 0 ? null : Duration.ofNanos(times[times.length / 2] * 1_000);
      Duration max = times.length == 0 ? null : Duration.ofNanos(times[times.length - 1] * 1_000);
      statistics.add(new AppStatistics(app, count[0], count[1], count[2], count[3], count[4], mean, median, max));
    });
    return statistics;
  }

  /** Starts, finishes and failures per interval of {@code bucket}, from the run's start. */
  public List<ThroughputPoint> throughput(String runId, Duration bucket) {
    RunRecord run = run(runId).orElseThrow(() -> new TaskDatabaseException("no run " + runId + " in " + file, null));
    long origin = micros(run.started());
    long width = Math.max(1, bucket.toNanos() / 1_000);
    Map<Long, long[]> points = new TreeMap<>();
    query("SELECT (started_at - ?) / ?, count(*) FROM tasks WHERE run_id = ? AND started_at IS NOT NULL GROUP BY 1",
        statement -> {
          statement.setLong(1, origin);
          statement.setLong(2, width);
          statement.setString(3, runId);
        }, rows -> points.computeIfAbsent(rows.getLong(1), b -> new long[3])[0] = rows.getLong(2));
    query("SELECT (finished_at - ?) / ?, count(*), sum(state != 'done') FROM tasks WHERE run_id = ? "
        + "AND finished_at IS NOT NULL GROUP BY 1", statement -> {
          statement.setLong(1, origin);
          statement.setLong(2, width);
          statement.setString(3, runId);
        }, rows -> {
          long[] point = points.computeIfAbsent(rows.getLong(1), b -> new long[3]);
          point[1] = rows.getLong(2);
          point[2] = rows.getLong(3);
          return null;
        });
    List<ThroughputPoint> series = new ArrayList<>();
    points.forEach((index, point) -> series.add(new ThroughputPoint(instant(origin + index * width), point[0],
        point[1], point[2])));
    return series;
  }

  private RunRecord run(ResultSet rows) throws SQLException {
    String runId = rows.getString("run_id");
    Instant ended = time(rows, rows.findColumn("ended_at"));
    String executors = rows.getString("executors");
    List<String> labels = executors == null || executors.isEmpty() ? List.of() : List.of(executors.split(","));
    long submitted;
    long succeeded;
    long failed;
    long depFailed;
    if (ended != null) {
      submitted = rows.getLong("submitted");
      succeeded = rows.getLong("succeeded");
      failed = rows.getLong("failed");
      depFailed = rows.getLong("dep_failed");
    } else {
      Map<TaskState, Long> counts = stateCounts(runId);
      submitted = counts.values().stream().mapToLong(Long::longValue).sum();
      succeeded = counts.getOrDefault(TaskState.DONE, 0L);
      failed = counts.getOrDefault(TaskState.FAILED, 0L);
      depFailed = counts.getOrDefault(TaskState.DEP_FAILED, 0L);
    }
    return new RunRecord(runId, instant(rows.getLong("started_at")), ended, rows.getString("program"),
        rows.getString("run_dir"), labels, submitted, succeeded, failed, depFailed);
  }

  private static TaskRecord task(ResultSet rows) throws SQLException {
    String dependsOn = rows.getString(5);
    List<Long> inputs = dependsOn == null || dependsOn.isEmpty() ? List.of()
        : Arrays.stream(dependsOn.split(",")).map(Long::valueOf).toList();
    return new TaskRecord(rows.getString(1), rows.getLong(2), rows.getString(3), rows.getString(4), inputs,
        rows.getString(6), TaskState.ofColumn(rows.getString(7)), rows.getInt(8), rows.getString(9), time(rows, 10),
        time(rows, 11), time(rows, 12), time(rows, 13), time(rows, 14), time(rows, 15), time(rows, 16),
        rows.getString(17), rows.getInt(18) != 0);
  }

  private static Instant time(ResultSet rows, int column) throws SQLException {
    long micros = rows.getLong(column);
    return rows.wasNull() ? null : instant(micros);
  }

  private static void bind(PreparedStatement statement, List<Object> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      statement.setObject(i + 1, values.get(i));
    }
  }

  private interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  private interface RowReader<T> {
    T read(ResultSet rows) throws SQLException;
  }

  private <T> List<T> query(String sql, Binder binder, RowReader<T> reader) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      List<T> result = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          result.add(reader.read(rows));
        }
      }
      return result;
    } catch (SQLException e) {
      throw new TaskDatabaseException("reading the task database " + file + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // A read-only connection holds nothing that could be lost.
    }
  }
}
