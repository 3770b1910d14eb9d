package dev.shoal.taskdb;

import static dev.shoal.taskdb.Schema.micros;

import dev.shoal.monitor.QueueSample;
import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.ScalingEvent;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.monitor.TaskEvent.Transition;
import dev.shoal.monitor.WorkerEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes one batch of events in one transaction, on the database's writer thread alone. A task's
 * row is kept in memory while it is unfinished and written once per batch that touched it, so a
 * short task costs one row write however many transitions it went through in the batch.
 */
final class BatchWriter implements AutoCloseable {
  private final Connection connection;
  private final PreparedStatement insertEvent;
  private final PreparedStatement upsertTask;
  private final PreparedStatement upsertRun;
  private final PreparedStatement endRun;
  private final PreparedStatement insertScaling;
  private final PreparedStatement upsertWorker;
  private final PreparedStatement insertQueueSample;
  /** Unfinished tasks, by run and id. */
  private final Map<TaskKey, LiveTask> live = new HashMap<>();
  /** Workers, by run and id, as far as this writer has seen them. */
  private final Map<TaskKey, LiveWorker> workers = new HashMap<>();

  BatchWriter(Connection connection) throws SQLException {
    this.connection = connection;
    this.insertEvent = connection.prepareStatement(
        "INSERT INTO task_events (run_id, task_id, attempt, transition, at, worker, error, detail) VALUES (?,?,?,?,?,?,?,?)");
    this.upsertTask = connection.prepareStatement("""
        INSERT OR REPLACE INTO tasks (run_id, task_id, app, executor, depends_on, args_digest, state, attempts, worker,
          submitted_at, launched_at, queued_at, received_at, started_at, ended_at, finished_at, error, reused)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""");
    this.upsertRun = connection.prepareStatement(
        "INSERT OR REPLACE INTO runs (run_id, started_at, program, run_dir, executors) VALUES (?,?,?,?,?)");
    this.endRun = connection.prepareStatement(
        "UPDATE runs SET ended_at = ?, submitted = ?, succeeded = ?, failed = ?, dep_failed = ? WHERE run_id = ?");
    this.insertScaling = connection.prepareStatement("""
        INSERT INTO scaling (run_id, executor, at, action, from_workers, desired_workers, launched, queued_messages, reason)
        VALUES (?,?,?,?,?,?,?,?,?)""");
    this.upsertWorker = connection.prepareStatement("""
        INSERT OR REPLACE INTO workers (run_id, worker, executor, started_at, ended_at, start_detail, end_detail,
          first_task_at, last_task_at, tasks_run) VALUES (?,?,?,?,?,?,?,?,?,?)""");
    this.insertQueueSample = connection.prepareStatement(
        "INSERT INTO queue_depth (run_id, executor, at, waiting, in_flight, workers) VALUES (?,?,?,?,?,?)");
  }

  void write(List<Object> batch) throws SQLException {
    Map<TaskKey, LiveTask> touched = new LinkedHashMap<>();
    Map<TaskKey, LiveWorker> touchedWorkers = new LinkedHashMap<>();
    try {
      for (Object event : batch) {
        if (event instanceof TaskEvent task) {
          task(task, touched, touchedWorkers);
        } else if (event instanceof WorkerEvent worker) {
          worker(worker, touchedWorkers);
        } else if (event instanceof ScalingEvent scaling) {
          scaling(scaling);
        } else if (event instanceof QueueSample sample) {
          queue(sample);
        } else if (event instanceof RunInfo run) {
          run(run);
        } else if (event instanceof RunEnd end) {
          end(end);
        }
      }
      insertEvent.executeBatch();
      insertScaling.executeBatch();
      insertQueueSample.executeBatch();
      for (LiveTask row : touched.values()) {
        row.bind(upsertTask);
        upsertTask.addBatch();
      }
      upsertTask.executeBatch();
      for (LiveWorker row : touchedWorkers.values()) {
        row.bind(upsertWorker);
        upsertWorker.addBatch();
      }
      upsertWorker.executeBatch();
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      insertEvent.clearBatch();
      insertScaling.clearBatch();
      insertQueueSample.clearBatch();
      upsertTask.clearBatch();
      upsertWorker.clearBatch();
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private void task(TaskEvent event, Map<TaskKey, LiveTask> touched, Map<TaskKey, LiveWorker> touchedWorkers)
      throws SQLException {
    TaskKey key = new TaskKey(event.runId(), String.valueOf(event.taskId()));
    LiveTask row = live.computeIfAbsent(key, k -> new LiveTask(event));
    row.apply(event);
    touched.put(key, row);
    if (event.transition().isTerminal()) {
      live.remove(key);
      // A task that succeeded at its first attempt has every step's time in its row: its events
      // would only say it again, at several rows a task. The others keep each attempt's story.
      if (row.attempts > 1 || row.state != TaskState.DONE) {
        for (TaskEvent kept : row.events) {
          addEvent(kept);
        }
      }
      row.events.clear();
    }
    if (event.worker() != null && event.transition() == Transition.STARTED) {
      TaskKey workerKey = new TaskKey(event.runId(), event.worker());
      LiveWorker worker = workers.computeIfAbsent(workerKey, k -> new LiveWorker(event.runId(), event.worker(),
          event.executor()));
      worker.ranTask(micros(event.at()));
      touchedWorkers.put(workerKey, worker);
    }
  }

  private void addEvent(TaskEvent event) throws SQLException {
    insertEvent.setString(1, event.runId());
    insertEvent.setLong(2, event.taskId());
    insertEvent.setInt(3, event.attempt());
    insertEvent.setString(4, event.transition().name());
    insertEvent.setLong(5, micros(event.at()));
    setText(insertEvent, 6, event.worker());
    setText(insertEvent, 7, event.error());
    // The digest has a column of its own in tasks; once is enough.
    setText(insertEvent, 8, event.transition() == Transition.LAUNCHED ? null : event.detail());
    insertEvent.addBatch();
  }

  private void worker(WorkerEvent event, Map<TaskKey, LiveWorker> touchedWorkers) {
    TaskKey key = new TaskKey(event.runId(), event.worker());
    LiveWorker worker = workers.computeIfAbsent(key, k -> new LiveWorker(event.runId(), event.worker(), event.executor()));
    if (event.phase() == WorkerEvent.Phase.STARTED) {
      worker.startedAt = micros(event.at());
      worker.startDetail = event.detail();
    } else {
      worker.endedAt = micros(event.at());
      worker.endDetail = event.detail();
    }
    touchedWorkers.put(key, worker);
  }

  private void scaling(ScalingEvent event) throws SQLException {
    insertScaling.setString(1, event.runId());
    setText(insertScaling, 2, event.executor());
    insertScaling.setLong(3, micros(event.at()));
    insertScaling.setString(4, event.action());
    insertScaling.setInt(5, event.fromWorkers());
    insertScaling.setInt(6, event.desiredWorkers());
    insertScaling.setInt(7, event.launched());
    insertScaling.setLong(8, event.queuedMessages());
    insertScaling.setString(9, event.reason());
    insertScaling.addBatch();
  }

  private void queue(QueueSample sample) throws SQLException {
    insertQueueSample.setString(1, sample.runId());
    setText(insertQueueSample, 2, sample.executor());
    insertQueueSample.setLong(3, micros(sample.at()));
    insertQueueSample.setLong(4, sample.waiting());
    insertQueueSample.setLong(5, sample.inFlight());
    insertQueueSample.setInt(6, sample.workers());
    insertQueueSample.addBatch();
  }

  private void run(RunInfo run) throws SQLException {
    upsertRun.setString(1, run.runId());
    upsertRun.setLong(2, micros(run.started()));
    upsertRun.setString(3, run.program());
    upsertRun.setString(4, run.runDir().toAbsolutePath().toString());
    upsertRun.setString(5, String.join(",", run.executors()));
    upsertRun.executeUpdate();
  }

  private void end(RunEnd end) throws SQLException {
    endRun.setLong(1, micros(end.ended()));
    endRun.setLong(2, end.submitted());
    endRun.setLong(3, end.succeeded());
    endRun.setLong(4, end.failed());
    endRun.setLong(5, end.dependencyFailed());
    endRun.setString(6, end.runId());
    endRun.executeUpdate();
    // What is still unfinished in that run will never finish now.
    live.keySet().removeIf(key -> key.runId().equals(end.runId()));
    workers.keySet().removeIf(key -> key.runId().equals(end.runId()));
  }

  private static void setText(PreparedStatement statement, int index, String value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  private static void setTime(PreparedStatement statement, int index, long micros) throws SQLException {
    if (micros == 0) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setLong(index, micros);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Nothing is lost: every batch was committed or reported.
    }
  }

  private record TaskKey(String runId, String id) {}

  /** A task's row as its events so far make it. */
  private static final class LiveTask {
    final String runId;
    final long taskId;
    final String app;
    final String executor;
    String dependsOn;
    String argsDigest;
    TaskState state = TaskState.PENDING;
    int attempts;
    String worker;
    long submittedAt;
    long launchedAt;
    long queuedAt;
    long receivedAt;
    long startedAt;
    long endedAt;
    long finishedAt;
    String error;
    boolean reused;
    /** Its events until it finishes: written then only if its story is more than its row tells. */
    final List<TaskEvent> events = new ArrayList<>(8);

    LiveTask(TaskEvent first) {
      this.runId = first.runId();
      this.taskId = first.taskId();
      this.app = first.app();
      this.executor = first.executor();
    }

    void apply(TaskEvent event) {
      events.add(event);
      long at = micros(event.at());
      attempts = Math.max(attempts, event.attempt());
      if (event.worker() != null) {
        worker = event.worker();
      }
      switch (event.transition()) {
        case SUBMITTED -> {
          submittedAt = at;
          dependsOn = event.dependsOn().isEmpty() ? null
              : event.dependsOn().stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        case LAUNCHED -> {
          launchedAt = at;
          if (event.detail() != null) {
            argsDigest = event.detail();
          }
          // A retry starts afresh: its times are the new attempt's.
          if (event.attempt() > 1) {
            queuedAt = 0;
            receivedAt = 0;
            startedAt = 0;
            endedAt = 0;
          }
        }
        case QUEUED -> queuedAt = at;
        case RECEIVED -> receivedAt = at;
        case STARTED -> startedAt = at;
        case ENDED -> endedAt = at;
        case ATTEMPT_FAILED -> error = event.error();
        case DONE -> {
          finishedAt = at;
          error = null;
          reused = "memo".equals(event.detail());
        }
        case FAILED, DEP_FAILED -> {
          finishedAt = at;
          error = event.error();
        }
      }
      state = state.after(event.transition());
    }

    void bind(PreparedStatement statement) throws SQLException {
      statement.setString(1, runId);
      statement.setLong(2, taskId);
      statement.setString(3, app);
      setText(statement, 4, executor);
      setText(statement, 5, dependsOn);
      setText(statement, 6, argsDigest);
      statement.setString(7, state.column());
      statement.setInt(8, attempts);
      setText(statement, 9, worker);
      setTime(statement, 10, submittedAt);
      setTime(statement, 11, launchedAt);
      setTime(statement, 12, queuedAt);
      setTime(statement, 13, receivedAt);
      setTime(statement, 14, startedAt);
      setTime(statement, 15, endedAt);
      setTime(statement, 16, finishedAt);
      setText(statement, 17, error);
      statement.setInt(18, reused ? 1 : 0);
    }
  }

  /** A worker's row as the events so far make it. */
  private static final class LiveWorker {
    final String runId;
    final String worker;
    final String executor;
    long startedAt;
    long endedAt;
    String startDetail;
    String endDetail;
    long firstTaskAt;
    long lastTaskAt;
    long tasksRun;

    LiveWorker(String runId, String worker, String executor) {
      this.runId = runId;
      this.worker = worker;
      this.executor = executor;
    }

    void ranTask(long at) {
      tasksRun++;
      firstTaskAt = firstTaskAt == 0 ? at : Math.min(firstTaskAt, at);
      lastTaskAt = Math.max(lastTaskAt, at);
    }

    void bind(PreparedStatement statement) throws SQLException {
      statement.setString(1, runId);
      statement.setString(2, worker);
      setText(statement, 3, executor);
      setTime(statement, 4, startedAt);
      setTime(statement, 5, endedAt);
      setText(statement, 6, startDetail);
      setText(statement, 7, endDetail);
      setTime(statement, 8, firstTaskAt);
      setTime(statement, 9, lastTaskAt);
      statement.setLong(10, tasksRun);
    }
  }
}
