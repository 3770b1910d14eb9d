package dev.shoal.dispatcher;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and targets of one worker pool, shared by every host of the {@link ScalingPolicy}.
 *
 * @param minWorkers workers kept even when there is no work (may be 0)
 * @param maxWorkers the most workers the pool may have
 * @param slotsPerWorker tasks a worker runs at once
 * @param targetBacklogPerSlot tasks (running or waiting) one slot is expected to carry before more
 *     capacity is wanted; 1 means a worker per {@code slotsPerWorker} tasks, 2 tolerates a queue
 *     as long again as what runs
 * @param coolDown how long the queue must have been empty before the pool may shrink; the local
 *     host uses the workers' own idle timeout, since that is when they actually leave
 * @param pendingDeadline how long a launched worker may take to start polling before the
 *     {@link ScalingStep} terminates it as stuck
 * @param silenceLimit how long a polling worker may go without showing it is alive (its
 *     {@linkplain dev.shoal.spi.WorkerInstance#lastSeen() heartbeat}) before the {@link ScalingStep}
 *     terminates it as silent: it hung, or its machine rebooted without it; only workers whose
 *     provider reads a heartbeat are ever silent
 */
public record ScalingConfig(int minWorkers, int maxWorkers, int slotsPerWorker, double targetBacklogPerSlot,
    Duration coolDown, Duration pendingDeadline, Duration silenceLimit) {

  /** The {@linkplain Builder#silenceLimit(Duration) default silence limit}. */
  public static final Duration DEFAULT_SILENCE_LIMIT = Duration.ofMinutes(5);

  public ScalingConfig {
    if (minWorkers < 0) {
      throw new IllegalArgumentException("minWorkers must be >= 0: " + minWorkers);
    }
    if (maxWorkers < 1 || maxWorkers < minWorkers) {
      throw new IllegalArgumentException("maxWorkers must be >= 1 and >= minWorkers (" + minWorkers + "): "
          + maxWorkers);
    }
    if (slotsPerWorker < 1) {
      throw new IllegalArgumentException("slotsPerWorker must be >= 1: " + slotsPerWorker);
    }
    // The negated comparison also rejects NaN.
    if (!(targetBacklogPerSlot > 0) || Double.isInfinite(targetBacklogPerSlot)) {
      throw new IllegalArgumentException("targetBacklogPerSlot must be a positive number: " + targetBacklogPerSlot);
    }
    requireNotNegative(coolDown, "coolDown");
    requireNotNegative(pendingDeadline, "pendingDeadline");
    Objects.requireNonNull(silenceLimit, "silenceLimit");
    if (silenceLimit.isNegative() || silenceLimit.isZero()) {
      // Zero would end every worker at its first listing.
      throw new IllegalArgumentException("silenceLimit must be positive: " + silenceLimit);
    }
  }

  /** A config with the {@linkplain #DEFAULT_SILENCE_LIMIT default silence limit}. */
  public ScalingConfig(int minWorkers, int maxWorkers, int slotsPerWorker, double targetBacklogPerSlot,
      Duration coolDown, Duration pendingDeadline) {
    this(minWorkers, maxWorkers, slotsPerWorker, targetBacklogPerSlot, coolDown, pendingDeadline,
        DEFAULT_SILENCE_LIMIT);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Tasks a pool of {@code workers} carries at the target backlog. */
  double capacity(long workers) {
    return workers * slotsPerWorker * targetBacklogPerSlot;
  }

  private static void requireNotNegative(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    if (duration.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative: " + duration);
    }
  }

  /** Builds a {@link ScalingConfig}; every setting has a default. */
  public static final class Builder {
    private int minWorkers = 0;
    private int maxWorkers = 4;
    private int slotsPerWorker = 1;
    private double targetBacklogPerSlot = 1.0;
    private Duration coolDown = Duration.ofMinutes(1);
    private Duration pendingDeadline = Duration.ofMinutes(2);
    private Duration silenceLimit = DEFAULT_SILENCE_LIMIT;

    private Builder() {}

    /** Workers kept when there is no work (default 0). */
    public Builder minWorkers(int min) {
      this.minWorkers = min;
      return this;
    }

    /** The most workers (default 4). */
    public Builder maxWorkers(int max) {
      this.maxWorkers = max;
      return this;
    }

    /** Tasks a worker runs at once (default 1). */
    public Builder slotsPerWorker(int slots) {
      this.slotsPerWorker = slots;
      return this;
    }

    /** Tasks a slot may carry before more workers are wanted (default 1). */
    public Builder targetBacklogPerSlot(double target) {
      this.targetBacklogPerSlot = target;
      return this;
    }

    /** How long the queue must stay empty before the pool may shrink (default 1 minute). */
    public Builder coolDown(Duration coolDown) {
      this.coolDown = coolDown;
      return this;
    }

    /** How long a worker may stay pending before it is terminated as stuck (default 2 minutes). */
    public Builder pendingDeadline(Duration deadline) {
      this.pendingDeadline = deadline;
      return this;
    }

    /**
     * How long a polling worker may go without a heartbeat before it is terminated as silent
     * (default 5 minutes); longer than a few of the workers' heartbeat periods.
     */
    public Builder silenceLimit(Duration limit) {
      this.silenceLimit = limit;
      return this;
    }

    public ScalingConfig build() {
      return new ScalingConfig(minWorkers, maxWorkers, slotsPerWorker, targetBacklogPerSlot, coolDown,
          pendingDeadline, silenceLimit);
    }
  }
}
