package dev.shoal.spi;

/**
 * Approximate message counts of a queue.
 *
 * @param visible messages waiting to be received
 * @param inFlight messages received and leased, not yet acknowledged
 */
public record QueueDepth(long visible, long inFlight) {
  public long total() {
    return visible + inFlight;
  }
}
