package dev.shoal.taskdb;

import java.time.Instant;

/** A scaling decision, as recorded. */
public record ScalingRecord(String executor, Instant at, String action, int fromWorkers, int desiredWorkers,
    int launched, long queuedMessages, String reason) {}
