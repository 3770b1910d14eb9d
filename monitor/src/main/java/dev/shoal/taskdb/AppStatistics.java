package dev.shoal.taskdb;

import java.time.Duration;

/**
 * What one app's tasks of a run did.
 *
 * @param meanRunTime, medianRunTime, maxRunTime over the tasks whose run time is known; null if none
 */
public record AppStatistics(String app, long tasks, long done, long failed, long dependencyFailed, long reused,
    Duration meanRunTime, Duration medianRunTime, Duration maxRunTime) {}
