package dev.shoal;

/** Decides whether a failed attempt is retried, within the app's or the run's retry count. */
@FunctionalInterface
public interface RetryPolicy {
  /** Retry any exception (the default), as Parsl does. */
  RetryPolicy ANY = (error, attempt) -> true;

  /**
   * @param error what the attempt failed with
   * @param attempt the number of the attempt that failed, from 1
   */
  boolean shouldRetry(Throwable error, int attempt);
}
