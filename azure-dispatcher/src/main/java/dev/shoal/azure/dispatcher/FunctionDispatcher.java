package dev.shoal.azure.dispatcher;

import dev.shoal.dispatcher.NudgedTasksPerMessage;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.dispatcher.ScalingStep;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Function's warm state, shared by its two triggers: one {@link ScalingStep} over the task
 * queue and the scale set (which remembers when the queue was last busy and which workers it
 * terminated), with the pool's burst switch when it has burst workers, and the last nudge's tasks
 * per message. Evaluations are serialized by the step, so
 * a timer tick and a nudge arriving together evaluate one after the other.
 */
final class FunctionDispatcher {
  /** A sixth of the Function's timeout (host.json), so that a slow queue fails the invocation clearly. */
  static final Duration DEPTH_TIMEOUT = Duration.ofSeconds(20);

  private final ScalingStep step;
  private final NudgedTasksPerMessage tasksPerMessage;

  /** A dispatcher of a pool without burst workers. */
  FunctionDispatcher(FunctionSettings settings, Transport transport, ComputeProvider provider, Clock clock) {
    this(settings, transport, provider, null, clock);
  }

  /**
   * @param burst the pool's burst switch (null: none), which every evaluation reads and turns
   * @throws IllegalStateException if the task queue cannot be found
   */
  FunctionDispatcher(FunctionSettings settings, Transport transport, ComputeProvider provider, BurstSwitch burst,
      Clock clock) {
    this.tasksPerMessage = new NudgedTasksPerMessage(settings.pool().tasksPerMessage());
    ScalingStep.Builder builder = ScalingStep.builder()
        .taskQueue(transport, address(transport, settings.taskQueue()))
        .provider(provider)
        .config(settings.pool().scalingConfig())
        .clock(clock)
        .tasksPerMessage(tasksPerMessage)
        .depthTimeout(DEPTH_TIMEOUT);
    if (burst != null) {
      builder.burst(burst);
    }
    this.step = builder.build();
  }

  private static String address(Transport transport, String queue) {
    try {
      return transport.resolveQueue(queue).get(DEPTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted looking up the task queue " + queue, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot find the task queue " + queue + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException | TransportException e) {
      throw new IllegalStateException("cannot find the task queue " + queue + ": " + e, e);
    }
  }

  /** A scheduled evaluation. */
  ScalingReport tick() {
    return ScalingReport.of(step.evaluate());
  }

  /** An evaluation a client asked for, after taking its counts. */
  ScalingReport nudged(Nudge nudge) {
    tasksPerMessage.heard(nudge.tasks(), nudge.messages());
    return ScalingReport.of(step.evaluate());
  }

  @Override
  public String toString() {
    return "FunctionDispatcher[" + step + "]";
  }
}
