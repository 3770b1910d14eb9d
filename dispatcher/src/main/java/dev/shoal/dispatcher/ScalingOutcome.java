package dev.shoal.dispatcher;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.WorkerInstance;
import java.util.List;
import java.util.Objects;

/**
 * What one {@link ScalingStep} saw and did, for its host to log, report or return.
 *
 * @param depth the task queue's depth it read
 * @param terminatedStuck the workers it terminated for not polling within the pending deadline
 * @param terminatedSilent the polling workers it terminated for showing no sign of life (no
 *     heartbeat) for the silence limit
 * @param decision what the {@link ScalingPolicy} decided, for the pool without those
 * @param launched the workers it launched: none unless the decision launches, and none when its
 *     host interrupted it (a host interrupts an evaluation only when it shuts down)
 * @param burst what it decided and did about the pool's burst workers; null when the pool has none
 *     (or its host interrupted it)
 */
public record ScalingOutcome(QueueDepth depth, List<WorkerInstance> terminatedStuck,
    List<WorkerInstance> terminatedSilent, ScalingDecision decision, List<WorkerInstance> launched,
    BurstDecision burst) {

  public ScalingOutcome {
    Objects.requireNonNull(depth, "depth");
    Objects.requireNonNull(decision, "decision");
    terminatedStuck = List.copyOf(terminatedStuck);
    terminatedSilent = List.copyOf(terminatedSilent);
    launched = List.copyOf(launched);
  }

  /** An outcome for a pool without burst workers. */
  public ScalingOutcome(QueueDepth depth, List<WorkerInstance> terminatedStuck,
      List<WorkerInstance> terminatedSilent, ScalingDecision decision, List<WorkerInstance> launched) {
    this(depth, terminatedStuck, terminatedSilent, decision, launched, null);
  }

  /** The decision, and the burst's where there is one, as one log line. */
  public String summary() {
    return burst == null ? decision.toString() : decision + "; " + burst;
  }
}
