package dev.shoal.dispatcher;

import java.util.Objects;

/**
 * What the {@link ScalingPolicy} decided for one input.
 *
 * @param desiredWorkers the pool size the policy wants; below the current size it only says that
 *     idle workers may leave (they do so by themselves), never that one is to be stopped
 * @param launch workers to launch now (0 unless scaling out)
 * @param reason why, for the log
 */
public record ScalingDecision(int desiredWorkers, int launch, Reason reason) {

  public ScalingDecision {
    Objects.requireNonNull(reason, "reason");
    if (launch < 0 || desiredWorkers < 0) {
      throw new IllegalArgumentException("counts must be >= 0: desired " + desiredWorkers + ", launch " + launch);
    }
  }

  public Action action() {
    return reason.action();
  }

  /** The pool size (running and pending) the decision started from. */
  public int currentWorkers() {
    return reason.from();
  }

  @Override
  public String toString() {
    return reason.toString();
  }

  /** Which way the pool goes. */
  public enum Action {
    /** Launch workers now. */
    SCALE_OUT("scale out"),
    /** Keep the pool as it is. */
    HOLD("hold"),
    /** Let idle workers leave by themselves; nobody is stopped. */
    SCALE_IN("scale in");

    private final String label;

    Action(String label) {
      this.label = label;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * Why a decision was taken, as one short log line: {@code scale out 0 -> 4: demand 37 tasks > capacity 0
   * (4 slots/worker, target 1/slot), capped by max 4}.
   *
   * @param action which way the pool goes
   * @param from the pool size (running and pending) before
   * @param to the desired pool size
   * @param detail the numbers that led there
   */
  public record Reason(Action action, int from, int to, String detail) {

    public Reason {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
      String sizes = from == to ? Integer.toString(to) : from + " -> " + to;
      return action + " " + sizes + ": " + detail;
    }
  }
}
