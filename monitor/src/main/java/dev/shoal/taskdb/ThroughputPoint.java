package dev.shoal.taskdb;

import java.time.Instant;

/**
 * What happened in one interval of a run.
 *
 * @param started attempts that started running in it
 * @param finished tasks that reached a terminal state in it
 * @param failed the part of {@code finished} that failed (or did not run because an input failed)
 */
public record ThroughputPoint(Instant from, long started, long finished, long failed) {}
