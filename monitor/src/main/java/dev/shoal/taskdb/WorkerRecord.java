package dev.shoal.taskdb;

import java.time.Instant;

/**
 * A worker of a run: when its pool started and ended it (null when the run did not see it, as
 * for cloud workers known only from their results), and the tasks it ran.
 */
public record WorkerRecord(String worker, String executor, Instant started, Instant ended, String startDetail,
    String endDetail, Instant firstTask, Instant lastTask, long tasksRun) {}
