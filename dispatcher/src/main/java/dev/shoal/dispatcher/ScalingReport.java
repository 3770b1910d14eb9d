package dev.shoal.dispatcher;

import dev.shoal.spi.WorkerInstance;
import java.util.List;

/**
 * What one {@link ScalingStep} evaluation saw and did, flattened for a function host to log and to
 * return as JSON (worker ids, not the provider's records).
 *
 * @param action the decision's {@link ScalingDecision.Action} name
 * @param launched the ids of the workers launched
 * @param terminatedStuck the ids of the workers terminated for not polling within the pending deadline
 * @param terminatedSilent the ids of the polling workers terminated for no heartbeat within the silence limit
 * @param reason the decision, with the burst's, as one log line
 * @param burst the burst decision's {@link BurstDecision.Action} name; null for a pool without burst workers
 * @param burstOn whether the burst workers are on after the evaluation; null for a pool without them
 */
public record ScalingReport(String action, int currentWorkers, int desiredWorkers, List<String> launched,
    List<String> terminatedStuck, List<String> terminatedSilent, long visibleMessages, long inFlightMessages,
    String reason, String burst, Boolean burstOn) {

  public ScalingReport {
    launched = List.copyOf(launched);
    terminatedStuck = List.copyOf(terminatedStuck);
    terminatedSilent = List.copyOf(terminatedSilent);
  }

  public static ScalingReport of(ScalingOutcome outcome) {
    ScalingDecision decision = outcome.decision();
    return new ScalingReport(decision.action().name(), decision.currentWorkers(), decision.desiredWorkers(),
        ids(outcome.launched()), ids(outcome.terminatedStuck()), ids(outcome.terminatedSilent()),
        outcome.depth().visible(), outcome.depth().inFlight(), outcome.summary(),
        outcome.burst() == null ? null : outcome.burst().action().name(),
        outcome.burst() == null ? null : outcome.burst().on());
  }

  private static List<String> ids(List<WorkerInstance> workers) {
    return workers.stream().map(WorkerInstance::id).toList();
  }
}
