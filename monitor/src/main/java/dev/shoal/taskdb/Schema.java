package dev.shoal.taskdb;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/** The tables, created where missing; {@code user_version} says which layout a file has. */
final class Schema {
  static final int VERSION = 1;

  private static final List<String> TABLES = List.of(
      """
      CREATE TABLE IF NOT EXISTS runs (
        run_id TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        program TEXT,
        run_dir TEXT,
        executors TEXT,
        submitted INTEGER,
        succeeded INTEGER,
        failed INTEGER,
        dep_failed INTEGER)""",
      """
      CREATE TABLE IF NOT EXISTS tasks (
        run_id TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        app TEXT NOT NULL,
        executor TEXT,
        depends_on TEXT,
        args_digest TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        worker TEXT,
        submitted_at INTEGER,
        launched_at INTEGER,
        queued_at INTEGER,
        received_at INTEGER,
        started_at INTEGER,
        ended_at INTEGER,
        finished_at INTEGER,
        error TEXT,
        reused INTEGER NOT NULL,
        PRIMARY KEY (run_id, task_id))""",
      """
      CREATE TABLE IF NOT EXISTS task_events (
        run_id TEXT NOT NULL,
        task_id INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        transition TEXT NOT NULL,
        at INTEGER NOT NULL,
        worker TEXT,
        error TEXT,
        detail TEXT)""",
      "CREATE INDEX IF NOT EXISTS task_events_by_task ON task_events (run_id, task_id)",
      "CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (run_id, state)",
      """
      CREATE TABLE IF NOT EXISTS workers (
        run_id TEXT NOT NULL,
        worker TEXT NOT NULL,
        executor TEXT,
        started_at INTEGER,
        ended_at INTEGER,
        start_detail TEXT,
        end_detail TEXT,
        first_task_at INTEGER,
        last_task_at INTEGER,
        tasks_run INTEGER NOT NULL,
        PRIMARY KEY (run_id, worker))""",
      """
      CREATE TABLE IF NOT EXISTS scaling (
        run_id TEXT NOT NULL,
        executor TEXT,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        from_workers INTEGER,
        desired_workers INTEGER,
        launched INTEGER,
        queued_messages INTEGER,
        reason TEXT)""",
      "CREATE INDEX IF NOT EXISTS scaling_by_run ON scaling (run_id, at)",
      """
      CREATE TABLE IF NOT EXISTS queue_depth (
        run_id TEXT NOT NULL,
        executor TEXT,
        at INTEGER NOT NULL,
        waiting INTEGER NOT NULL,
        in_flight INTEGER NOT NULL,
        workers INTEGER NOT NULL)""",
      "CREATE INDEX IF NOT EXISTS queue_depth_by_run ON queue_depth (run_id, at)");

  private Schema() {}

  /** Creates what is missing; refuses a file written by a newer layout rather than garble it. */
  static void create(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      int version;
      try (var rows = statement.executeQuery("PRAGMA user_version")) {
        version = rows.next() ? rows.getInt(1) : 0;
      }
      if (version > VERSION) {
        throw new SQLException("this task database has layout " + version + ", newer than " + VERSION
            + ", the one this version of Shoal knows");
      }
      for (String table : TABLES) {
        statement.execute(table);
      }
      statement.execute("PRAGMA user_version = " + VERSION);
    }
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000;
  }

  static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
