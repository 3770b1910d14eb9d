package dev.shoal.spi;

/**
 * Approximate message counts of a queue.
 *
 * @param visible messages waiting to be received
 * @param inFlight messages received and leased, not yet acknowledged
 */
public record QueueDepth(long visible, long inFlight) {
  /**
   * The label ({@link Transport#tagQueue}) on a task queue that says how many tasks a message of it
   * carries on average (a decimal number such as {@code 91.5}), as its publisher last saw: a queue
   * counts messages, and a pool must be sized from tasks.
   */
  public static final String TASKS_PER_MESSAGE_TAG = "shoal:tasks-per-message";

  public long total() {
    return visible + inFlight;
  }
}
