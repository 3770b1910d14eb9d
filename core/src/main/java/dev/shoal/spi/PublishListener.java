package dev.shoal.spi;

/**
 * Told each time a queue executor has published tasks: how a dispatcher hears of a burst at once
 * instead of at its next tick, and learns how many tasks a message carries (a queue counts
 * messages, a pool must be sized from tasks).
 */
@FunctionalInterface
public interface PublishListener {

  /**
   * Called after a send went through, on the transport's I/O thread: keep it quick and never block.
   *
   * @param tasks the tasks just published
   * @param messages the queue messages they went in
   */
  void published(int tasks, int messages);

  /** This listener, then {@code next}. */
  default PublishListener andThen(PublishListener next) {
    return (tasks, messages) -> {
      published(tasks, messages);
      next.published(tasks, messages);
    };
  }
}
