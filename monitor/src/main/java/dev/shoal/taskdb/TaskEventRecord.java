package dev.shoal.taskdb;

import java.time.Instant;

/** One transition of a task, as recorded. */
public record TaskEventRecord(long taskId, int attempt, String transition, Instant at, String worker, String error,
    String detail) {}
