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
 *
 * <p>With a {@linkplain FunctionSettings#vmQueue() VM-only queue}, the step counts its tasks as
 * the VMs' demand beside the task queue's, while the burst follows the task queue alone: the
 * burst function never reads the VM-only queue, so its tasks are no reason to turn it on.
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
   * @throws IllegalStateException if the task queue or the VM-only queue cannot be found, or both
   *     are one queue
   */
  FunctionDispatcher(FunctionSettings settings, Transport transport, ComputeProvider provider, BurstSwitch burst,
      Clock clock) {
    this.tasksPerMessage = new NudgedTasksPerMessage(settings.pool().tasksPerMessage());
    String taskQueue = address(transport, "task queue", settings.taskQueue());
    ScalingStep.Builder builder = ScalingStep.builder()
        .taskQueue(transport, taskQueue)
        .provider(provider)
        .config(settings.pool().scalingConfig())
        .clock(clock)
        .tasksPerMessage(tasksPerMessage)
        .depthTimeout(DEPTH_TIMEOUT);
    if (settings.vmQueue() != null) {
      String vmQueue = address(transport, "VM-only queue", settings.vmQueue());
      // A name and an address of one queue pass the settings' check; resolved, they are equal.
      if (vmQueue.equals(taskQueue)) {
        throw new IllegalStateException("the VM-only queue " + settings.vmQueue() + " is the task queue " + taskQueue);
      }
      builder.vmQueue(vmQueue);
    }
    if (burst != null) {
      builder.burst(burst);
    }
    this.step = builder.build();
  }

  private static String address(Transport transport, String what, String queue) {
    try {
      return transport.resolveQueue(queue).get(DEPTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted looking up the " + what + " " + queue, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot find the " + what + " " + queue + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException | TransportException e) {
      throw new IllegalStateException("cannot find the " + what + " " + queue + ": " + e, e);
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
