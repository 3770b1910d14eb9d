package dev.shoal.dispatcher;

import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One evaluation of a worker pool against its task queue, the same in every host (the local loop,
 * the Lambda function, an Azure Function): read the queue's depth and how many tasks its messages
 * carry ({@link QueueDepth#TASKS_PER_MESSAGE_TAG}, else the host's estimate), note whether it is busy,
 * terminate the workers still pending after the {@linkplain ScalingConfig#pendingDeadline() pending
 * deadline} and the polling ones silent for the {@linkplain ScalingConfig#silenceLimit() silence
 * limit}, ask the {@link ScalingPolicy} about the rest, launch what it decides, and turn the pool's
 * {@linkplain Builder#burst burst workers} on or off as it decides. Hosts only
 * schedule it and report its {@link ScalingOutcome}; it knows no cloud, only a {@link Transport}
 * and a {@link ComputeProvider}.
 *
 * <p>It never stops a worker that polls and shows it is alive: idle workers leave by themselves
 * after their idle timeout, which is how a pool shrinks. A worker whose heartbeat stopped (it hung,
 * or its machine rebooted and nothing restarted it) no longer counts as polling.
 *
 * <p><b>State between evaluations.</b> When the queue was last busy, since the cool-down runs from
 * then (a new step counts the queue as busy until its first evaluation: at worst, a scale-in
 * decision comes one cool-down late, and scale-in stops nobody anyway); and the stuck and silent
 * workers it terminated that are still listed while they die, so that they are neither terminated
 * twice nor counted. Evaluations are serialized, so a host may call {@link #evaluate()} from any thread.
 */
public final class ScalingStep {
  private static final Logger log = LoggerFactory.getLogger(ScalingStep.class);
  /** How long the queue's tags may take once its depth is read: they are asked for at the same time. */
  private static final Duration TAGS_WAIT = Duration.ofSeconds(2);

  private final Transport transport;
  private final String taskQueue;
  /** The pool's VM-only queue, whose tasks only its VMs take; null when it has none. */
  private final String vmQueue;
  private final ComputeProvider provider;
  private final ScalingPolicy policy;
  private final Clock clock;
  private final DoubleSupplier tasksPerMessage;
  private final Duration depthTimeout;
  /** The pool's burst workers; null when it has none. */
  private final BurstSwitch burst;

  // Guarded by this.
  private Instant lastBusy;
  private final Set<String> terminated = new HashSet<>();

  private ScalingStep(Builder builder) {
    this.transport = Objects.requireNonNull(builder.transport, "a scaling step needs the task queue's transport");
    this.taskQueue = Objects.requireNonNull(builder.taskQueue, "a scaling step needs the task queue's address");
    this.vmQueue = builder.vmQueue;
    this.provider = Objects.requireNonNull(builder.provider, "a scaling step needs a compute provider");
    this.policy = new ScalingPolicy(Objects.requireNonNull(builder.config, "a scaling step needs a scaling config"));
    this.clock = builder.clock;
    this.tasksPerMessage = builder.tasksPerMessage;
    this.depthTimeout = builder.depthTimeout;
    this.burst = builder.burst;
  }

  public static Builder builder() {
    return new Builder();
  }

  public ScalingConfig config() {
    return policy.config();
  }

  /** The address of the task queue it reads. */
  public String taskQueue() {
    return taskQueue;
  }

  /**
   * Evaluates the pool once: depth, last busy, stuck and silent workers (terminated through the
   * provider), decision, launch.
   *
   * @throws DepthUnreadableException if the queue's depth cannot be read; nothing is done then,
   *     so the pool stays as it is (the host decides how loudly to say so)
   * @throws RuntimeException what the provider throws, such as a failed launch
   */
  public synchronized ScalingOutcome evaluate() {
    Instant now = clock.instant();
    // Asked at once, read after the depth: the two requests overlap.
    CompletableFuture<Map<String, String>> tags = readTags(taskQueue);
    CompletableFuture<Map<String, String>> vmTags = vmQueue == null ? null : readTags(vmQueue);
    QueueDepth tasksDepth = readDepth(taskQueue);
    double tasksPerMessage = tasksPerMessage(tags);
    // The VMs' demand is both queues'; the burst's only the task queue's, which the functions read.
    QueueDepth depth = tasksDepth;
    double vmTasksPerMessage = tasksPerMessage;
    if (vmQueue != null) {
      QueueDepth vmDepth = readDepth(vmQueue);
      double vmOnly = tasksPerMessage(vmTags);
      depth = new QueueDepth(tasksDepth.visible() + vmDepth.visible(), tasksDepth.inFlight() + vmDepth.inFlight());
      vmTasksPerMessage = depth.total() == 0 ? tasksPerMessage
          : (tasksDepth.total() * tasksPerMessage + vmDepth.total() * vmOnly) / depth.total();
    }
    // After a clock step backwards, "busy until now" is the honest reading.
    if (lastBusy == null || depth.total() > 0 || lastBusy.isAfter(now)) {
      lastBusy = now;
    }
    List<WorkerInstance> workers = provider.list();
    // Forget the ones that are gone; the others may still be listed while they die.
    terminated.retainAll(workers.stream().map(WorkerInstance::id).collect(Collectors.toSet()));
    List<WorkerInstance> stuck = terminate(policy.stuck(workers, now), "did not start polling within "
        + ScalingPolicy.brief(policy.config().pendingDeadline()));
    List<WorkerInstance> silent = terminate(policy.silent(workers, now), "showed no sign of life for "
        + ScalingPolicy.brief(policy.config().silenceLimit()));
    List<WorkerInstance> counted = workers.stream()
        .filter(worker -> !terminated.contains(worker.id()))
        .toList();
    Duration idleFor = Duration.between(lastBusy, now);
    ScalingInput input = ScalingInput.of(depth, Math.max(1, vmTasksPerMessage), counted, idleFor);
    ScalingDecision decision = policy.decide(input);
    // A host interrupts its evaluation only when it shuts down: workers launched now would be orphans.
    boolean shuttingDown = Thread.currentThread().isInterrupted();
    List<WorkerInstance> launched = decision.launch() > 0 && !shuttingDown
        ? provider.launch(decision.launch())
        : List.of();
    BurstDecision burstDecision = burst == null || shuttingDown ? null
        : switchBurst(vmQueue == null ? input : ScalingInput.of(tasksDepth, tasksPerMessage, counted, idleFor), decision);
    return new ScalingOutcome(depth, stuck, silent, decision, launched, burstDecision);
  }

  /**
   * Reads the burst's state, asks the policy, and turns the switch if it says so. A switch that
   * cannot be read or turned leaves the burst as it is, saying why: the pool's own decision stands.
   */
  private BurstDecision switchBurst(ScalingInput input, ScalingDecision decision) {
    BurstSwitch.State state;
    try {
      state = burst.state();
    } catch (RuntimeException e) {
      log.warn("{}: cannot read the burst's state, leaving it as it is: {}", this, e.toString());
      return new BurstDecision(BurstDecision.Action.LEFT_ALONE, false, "its state cannot be read: " + e);
    }
    BurstDecision wanted = policy.burst(input, decision, state);
    if (!wanted.changes()) {
      return wanted;
    }
    try {
      burst.turn(wanted.on());
      return wanted;
    } catch (RuntimeException e) {
      log.warn("{}: could not turn the burst {}: {}", this, wanted.on() ? "on" : "off", e.toString());
      return new BurstDecision(BurstDecision.Action.LEFT_ALONE, state == BurstSwitch.State.ON,
          "could not turn it " + (wanted.on() ? "on" : "off") + " (" + wanted.detail() + "): " + e);
    }
  }

  private QueueDepth readDepth(String queue) {
    try {
      return transport.depth(queue).get(depthTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DepthUnreadableException("interrupted reading the depth of " + queue, e);
    } catch (ExecutionException e) {
      throw new DepthUnreadableException("cannot read the depth of " + queue + ": " + e.getCause(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new DepthUnreadableException("reading the depth of " + queue + " took longer than "
          + ScalingPolicy.brief(depthTimeout), e);
    }
  }

  private CompletableFuture<Map<String, String>> readTags(String queue) {
    try {
      return transport.queueTags(queue);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The tasks a message carries: as its publisher recorded on the queue ({@link
   * QueueDepth#TASKS_PER_MESSAGE_TAG}), else the host's estimate. The record is only a better guess:
   * when it cannot be read soon, the evaluation goes on without it.
   */
  private double tasksPerMessage(CompletableFuture<Map<String, String>> tags) {
    String recorded = null;
    try {
      recorded = tags.get(TAGS_WAIT.toMillis(), TimeUnit.MILLISECONDS).get(QueueDepth.TASKS_PER_MESSAGE_TAG);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("{}: could not read the queue's tags, using the host's estimate of tasks per message: {}", this,
          e.toString());
    }
    if (recorded != null) {
      try {
        double value = Double.parseDouble(recorded);
        if (value >= 1 && !Double.isInfinite(value)) {
          return value;
        }
      } catch (NumberFormatException e) {
        // Not ours to trust: someone else's tag of that name.
      }
      log.debug("{}: ignoring tag {}={}", this, QueueDepth.TASKS_PER_MESSAGE_TAG, recorded);
    }
    return sanitize(tasksPerMessage.getAsDouble());
  }

  /** Terminates those of these workers that were not terminated already; returns them. */
  private List<WorkerInstance> terminate(List<WorkerInstance> found, String why) {
    List<WorkerInstance> fresh = found.stream()
        .filter(worker -> !terminated.contains(worker.id()))
        .toList();
    if (fresh.isEmpty()) {
      return fresh;
    }
    List<String> ids = fresh.stream().map(WorkerInstance::id).toList();
    log.warn("{}: terminating {} worker(s) that {}: {}", provider, ids.size(), why, ids);
    provider.terminate(ids);
    terminated.addAll(ids);
    return fresh;
  }

  /** Below 1 (no estimate yet), infinite or NaN: one task a message. */
  private static double sanitize(double tasksPerMessage) {
    return tasksPerMessage >= 1 && !Double.isInfinite(tasksPerMessage) ? tasksPerMessage : 1;
  }

  @Override
  public String toString() {
    return "ScalingStep[" + taskQueue + ", " + provider + "]";
  }

  /** The task queue's depth could not be read, so the step did nothing. */
  public static final class DepthUnreadableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DepthUnreadableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Configuration of a {@link ScalingStep}; {@link #build()} may be called again for an independent step. */
  public static final class Builder {
    private Transport transport;
    private String taskQueue;
    private String vmQueue;
    private ComputeProvider provider;
    private ScalingConfig config;
    private Clock clock = Clock.systemUTC();
    private DoubleSupplier tasksPerMessage = () -> 1;
    private Duration depthTimeout = Duration.ofSeconds(30);
    private BurstSwitch burst;

    private Builder() {}

    /**
     * The pool's burst workers, which the step turns on while a backlog waits for booting workers
     * and off when they have arrived ({@link ScalingPolicy#burst}); none by default. The step does
     * not close it: its host owns it.
     */
    public Builder burst(BurstSwitch burst) {
      this.burst = Objects.requireNonNull(burst, "burst");
      return this;
    }

    /** The task queue whose depth is read: its transport, and its address there (not a name). */
    public Builder taskQueue(Transport transport, String address) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.taskQueue = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The pool's VM-only queue (its address on the task queue's transport): its tasks are the VMs'
     * demand too, never the burst's. None by default.
     */
    public Builder vmQueue(String address) {
      this.vmQueue = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The pool to scale. */
    public Builder provider(ComputeProvider provider) {
      this.provider = Objects.requireNonNull(provider, "provider");
      return this;
    }

    public Builder config(ScalingConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** The clock for the cool-down and the pending deadline (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The host's estimate of tasks per queue message (default 1), read on every evaluation where the
     * queue carries no record of its own ({@link QueueDepth#TASKS_PER_MESSAGE_TAG}, which a queue
     * executor keeps up to date), such as a publisher's tasks sent over messages sent; values below
     * 1 count as 1.
     */
    public Builder tasksPerMessage(DoubleSupplier estimate) {
      this.tasksPerMessage = Objects.requireNonNull(estimate, "estimate");
      return this;
    }

    /** How long reading the depth may take before the evaluation gives up (default 30 s). */
    public Builder depthTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("depthTimeout must be positive: " + timeout);
      }
      this.depthTimeout = timeout;
      return this;
    }

    public ScalingStep build() {
      return new ScalingStep(this);
    }
  }
}
