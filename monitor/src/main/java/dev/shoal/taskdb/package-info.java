/**
 * The task database: every run, task transition, worker and scaling decision, in one SQLite file
 * that outlives the run. {@link dev.shoal.taskdb.TaskDatabase} writes it, off the task path;
 * {@link dev.shoal.taskdb.TaskDatabaseReader} reads it for {@code shoal status}, the dashboard and
 * the report. The tables are documented in {@code docs/TASK-DATABASE.md}; times are microseconds
 * since the epoch (UTC).
 */
package dev.shoal.taskdb;
