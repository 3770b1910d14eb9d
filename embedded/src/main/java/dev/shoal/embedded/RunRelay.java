package dev.shoal.embedded;

import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingDecision;
import dev.shoal.dispatcher.ScalingOutcome;
import dev.shoal.monitor.QueueSample;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.ScalingEvent;
import dev.shoal.monitor.WorkerEvent;
import dev.shoal.spi.RunContext;
import java.time.Instant;

/**
 * Tells the run the cluster serves about its workers and its scaling decisions. The parts that
 * report are built before the cluster knows its run; until it starts, they report to nobody.
 */
final class RunRelay implements WorkerLifecycle, LocalAutoscaler.Listener {
  private final String label;
  private volatile RunListener listener = RunListener.none();
  private volatile String runId;

  RunRelay(String label) {
    this.label = label;
  }

  void serve(RunContext context) {
    this.runId = context.runId();
    this.listener = context.listener();
  }

  @Override
  public void started(String workerId, String detail) {
    tell(workerId, WorkerEvent.Phase.STARTED, detail);
  }

  @Override
  public void ended(String workerId, String detail) {
    tell(workerId, WorkerEvent.Phase.ENDED, detail);
  }

  private void tell(String workerId, WorkerEvent.Phase phase, String detail) {
    String run = runId;
    if (run != null) {
      listener.worker(new WorkerEvent(run, workerId, label, phase, Instant.now(), detail));
    }
  }

  @Override
  public void evaluated(ScalingOutcome outcome) {
    String run = runId;
    if (run != null) {
      listener.queue(new QueueSample(run, label, Instant.now(), outcome.depth().visible(), outcome.depth().inFlight(),
          outcome.decision().currentWorkers()));
    }
  }

  @Override
  public void logged(ScalingOutcome outcome) {
    String run = runId;
    if (run == null) {
      return;
    }
    ScalingDecision decision = outcome.decision();
    listener.scaling(new ScalingEvent(run, label, Instant.now(), decision.action().toString(),
        decision.currentWorkers(), decision.desiredWorkers(), outcome.launched().size(), outcome.depth().visible(),
        outcome.summary()));
  }
}
