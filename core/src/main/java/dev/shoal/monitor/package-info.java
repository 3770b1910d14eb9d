/**
 * What a run tells whoever watches it: every transition of every task, workers as they come and
 * go, and the pool's scaling decisions, as plain records handed to {@link dev.shoal.monitor.RunListener}s.
 * The task database, the metrics and the progress bar are listeners; so is anything a user writes.
 */
package dev.shoal.monitor;
