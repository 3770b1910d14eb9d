package dev.shoal.spi;

/**
 * Turns a pool's serverless burst workers on and off: the functions that run the same worker
 * runtime on the same task queue while VMs boot (an SQS event source mapping feeding a Lambda
 * function, a Service Bus trigger of an Azure Function). The dispatcher's scaling step decides when;
 * a switch only reads and changes the platform's state.
 *
 * <p>Turning is a state change on the platform that may take a while to act (an event source
 * mapping goes through {@code Enabling} for seconds); a switch says so as {@link State#TURNING}, and
 * the step leaves it alone until it settles.
 */
public interface BurstSwitch extends AutoCloseable {

  /** Where the burst stands. */
  enum State {
    /** Function workers take tasks from the queue. */
    ON,
    /** They do not. */
    OFF,
    /** Between the two (or updating); the dispatcher waits for it to settle. */
    TURNING
  }

  /**
   * Reads the platform's state.
   *
   * @throws RuntimeException when it cannot be read; the step then leaves the burst as it is
   */
  State state();

  /**
   * Asks the platform to turn the burst on or off; asking for what already is, is no error.
   *
   * @throws RuntimeException when the platform refuses or cannot be reached
   */
  void turn(boolean on);

  /** Releases the switch's clients; by default there are none. */
  @Override
  default void close() {}
}
