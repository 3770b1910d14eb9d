package dev.shoal.progress;

/**
 * Where a run's tasks are, at one moment.
 *
 * @param submitted tasks called so far
 * @param done finished with a result
 * @param failed failed, or not run because an input failed
 * @param running handed to an executor and not finished (queued or running there: a remote worker
 *     says when it started only with its result)
 * @param waiting waiting for their inputs
 */
public record TaskCounts(long submitted, long done, long failed, long running, long waiting) {
  public long finished() {
    return done + failed;
  }
}
