package dev.shoal;

/**
 * Counts for one run of a kernel.
 *
 * @param submitted tasks submitted
 * @param succeeded tasks that finished with a result, including memo hits
 * @param failed tasks that failed after retries, or were cancelled
 * @param dependencyFailed tasks not run because an input failed
 * @param retried attempts that were retried
 * @param memoHits tasks whose result was reused (from this run or a checkpoint)
 * @param checkpointHits the part of {@code memoHits} that came from the checkpoint file
 * @param checkpointLoaded entries read from the checkpoint file when the kernel started
 */
public record RunStats(long submitted, long succeeded, long failed, long dependencyFailed, long retried,
    long memoHits, long checkpointHits, long checkpointLoaded) {

  public long finished() {
    return succeeded + failed + dependencyFailed;
  }
}
