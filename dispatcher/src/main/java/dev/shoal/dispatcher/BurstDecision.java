package dev.shoal.dispatcher;

import java.util.Objects;

/**
 * What the {@link ScalingPolicy} decided for a pool's burst workers (see
 * {@link dev.shoal.spi.BurstSwitch}), with why, for the log.
 *
 * @param action what the step does about it
 * @param on whether the burst is on once the step has done it; for {@link Action#LEFT_ALONE}, what
 *     the step last knew (false when it never knew)
 * @param detail the numbers that led there
 */
public record BurstDecision(Action action, boolean on, String detail) {

  public BurstDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(detail, "detail");
  }

  /** What the step does with the switch. */
  public enum Action {
    /** Turn the burst on now. */
    TURN_ON,
    /** Turn it off now. */
    TURN_OFF,
    /** Leave it as it is, which is what the policy wants. */
    STAY,
    /** Leave it as it is: its state is changing or could not be read or changed. */
    LEFT_ALONE
  }

  /** True when the step turns the switch. */
  public boolean changes() {
    return action == Action.TURN_ON || action == Action.TURN_OFF;
  }

  /** {@code burst on: demand 40 tasks > running capacity 0 while 3 workers boot}. */
  @Override
  public String toString() {
    return switch (action) {
      case TURN_ON -> "burst on: " + detail;
      case TURN_OFF -> "burst off: " + detail;
      case STAY -> "burst stays " + (on ? "on" : "off") + ": " + detail;
      case LEFT_ALONE -> "burst left alone: " + detail;
    };
  }
}
