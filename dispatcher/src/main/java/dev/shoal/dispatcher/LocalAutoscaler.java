package dev.shoal.dispatcher;

import dev.shoal.compute.ComputeProvider;
import dev.shoal.compute.WorkerInstance;
import dev.shoal.transport.QueueDepth;
import dev.shoal.transport.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ScalingPolicy} hosted in this JVM, for local mode: on every tick, and at once when
 * {@linkplain #nudge() nudged}, it reads the task queue's depth, lists the provider's pool, and
 * launches what the policy decides. It logs one line per decision that changes something, not one
 * per tick. It never stops a worker that has registered: idle workers leave by themselves after
 * their idle timeout, which is how the pool shrinks. A worker still pending after the policy's
 * pending deadline is terminated through the provider and reported.
 *
 * <p>All evaluations run on one thread of its own, so they never overlap.
 */
public final class LocalAutoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalAutoscaler.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Transport transport;
  private final String taskQueueName;
  private final ComputeProvider provider;
  private final ScalingPolicy policy;
  private final Duration tick;
  private final DoubleSupplier tasksPerMessage;
  private final Clock clock;
  private final Listener listener;
  private final boolean closeProvider;
  private final ScheduledExecutorService loop;
  private final Coalescer nudges;

  // Touched only on the loop thread (and written once by start() before the loop runs).
  private String taskQueue;
  private Instant lastBusy;
  private ScalingDecision lastDecision;
  private final Set<String> terminatedStuck = new HashSet<>();
  private boolean depthFailing;

  private volatile boolean started;
  private volatile boolean closed;

  private LocalAutoscaler(Builder builder) {
    this.transport = Objects.requireNonNull(builder.transport, "an autoscaler needs a transport");
    this.taskQueueName = Objects.requireNonNull(builder.taskQueue, "an autoscaler needs a task queue");
    this.provider = Objects.requireNonNull(builder.provider, "an autoscaler needs a compute provider");
    this.policy = new ScalingPolicy(Objects.requireNonNull(builder.config, "an autoscaler needs a scaling config"));
    this.tick = builder.tick;
    this.tasksPerMessage = builder.tasksPerMessage;
    this.clock = builder.clock;
    this.listener = builder.listener;
    this.closeProvider = builder.closeProvider;
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, "shoal-autoscaler");
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    this.loop = executor;
    this.nudges = new Coalescer(loop, this::evaluate);
  }

  public static Builder builder() {
    return new Builder();
  }

  public ScalingConfig config() {
    return policy.config();
  }

  /**
   * Starts ticking, with a first evaluation at once (which launches the minimum). The task queue
   * must exist by now: start the autoscaler after whatever creates it.
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("autoscaler is closed");
    }
    if (started) {
      throw new IllegalStateException("autoscaler was already started");
    }
    taskQueue = taskQueueName.contains("://") ? taskQueueName : await(transport.queueAddress(taskQueueName),
        "resolving task queue " + taskQueueName);
    // An empty queue at start has been idle for no time yet: the cool-down runs from here.
    lastBusy = clock.instant();
    started = true;
    loop.scheduleWithFixedDelay(this::evaluate, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
    log.info("autoscaler: {} to {} workers of {} slots on {}, every {}", policy.config().minWorkers(),
        policy.config().maxWorkers(), policy.config().slotsPerWorker(), taskQueue, ScalingPolicy.brief(tick));
  }

  /**
   * Asks for an evaluation now rather than at the next tick, such as after tasks were published.
   * Never blocks; nudges that come while one is waiting to run are folded into it. Ignored before
   * {@link #start()} and after {@link #close()}.
   */
  public void nudge() {
    if (started && !closed) {
      nudges.request();
    }
  }

  /** Stops the loop; closes the provider too (stopping its workers) if so configured. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    // Interrupts an evaluation waiting on the queue service; it gives up quietly.
    loop.shutdownNow();
    try {
      if (!loop.awaitTermination(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("autoscaler: an evaluation is still running after {}", CALL_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closeProvider) {
      provider.close();
    }
  }

  private void evaluate() {
    if (closed) {
      return;
    }
    try {
      Instant now = clock.instant();
      QueueDepth depth = readDepth();
      if (depth == null) {
        return;
      }
      if (depth.total() > 0 || lastBusy.isAfter(now)) {
        lastBusy = now;
      }
      List<WorkerInstance> workers = provider.list();
      terminateStuck(workers, now);
      List<WorkerInstance> counted = workers.stream()
          .filter(worker -> !terminatedStuck.contains(worker.id()))
          .toList();
      ScalingInput input = ScalingInput.of(depth, sanitize(tasksPerMessage.getAsDouble()), counted,
          Duration.between(lastBusy, now));
      ScalingDecision decision = policy.decide(input);
      if (closed) {
        return;
      }
      if (decision.launch() > 0) {
        provider.launch(decision.launch());
      }
      if (worthLogging(lastDecision, decision)) {
        log.info("autoscaler: {}", decision);
      } else {
        log.debug("autoscaler: {}", decision);
      }
      lastDecision = decision;
      notify(() -> listener.decided(decision));
    } catch (RuntimeException e) {
      // One failed evaluation must not end the loop (a scheduled task that throws never runs again).
      log.warn("autoscaler: evaluation failed: {}", e.toString(), e);
    }
  }

  private QueueDepth readDepth() {
    try {
      QueueDepth depth = transport.depth(taskQueue).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (depthFailing) {
        log.info("autoscaler: reading the depth of {} works again", taskQueue);
        depthFailing = false;
      }
      return depth;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      // Once per outage, not once per tick.
      if (!depthFailing) {
        log.warn("autoscaler: cannot read the depth of {}, holding the pool until it can: {}", taskQueue,
            cause.toString());
        depthFailing = true;
      } else {
        log.debug("autoscaler: depth of {} still unreadable: {}", taskQueue, cause.toString());
      }
      return null;
    }
  }

  private void terminateStuck(List<WorkerInstance> workers, Instant now) {
    // Forget the ones that are gone; the others may still be listed while they die.
    Set<String> listed = workers.stream().map(WorkerInstance::id).collect(Collectors.toSet());
    terminatedStuck.retainAll(listed);
    List<WorkerInstance> stuck = policy.stuck(workers, now).stream()
        .filter(worker -> !terminatedStuck.contains(worker.id()))
        .toList();
    if (stuck.isEmpty()) {
      return;
    }
    List<String> ids = stuck.stream().map(WorkerInstance::id).toList();
    log.warn("autoscaler: terminating {} worker(s) that did not start polling within {}: {}", ids.size(),
        ScalingPolicy.brief(policy.config().pendingDeadline()), ids);
    provider.terminate(ids);
    terminatedStuck.addAll(ids);
    notify(() -> listener.terminatedStuck(stuck));
  }

  /** A decision is logged when it launches, or when it first says the pool may shrink to a size. */
  static boolean worthLogging(ScalingDecision previous, ScalingDecision decision) {
    if (decision.launch() > 0) {
      return true;
    }
    if (decision.action() != ScalingDecision.Action.SCALE_IN) {
      return false;
    }
    // While idle workers leave one by one the decision repeats with a smaller "from"; once is enough.
    return previous == null || previous.action() != ScalingDecision.Action.SCALE_IN
        || previous.desiredWorkers() != decision.desiredWorkers();
  }

  private static double sanitize(double tasksPerMessage) {
    return tasksPerMessage >= 1 && !Double.isInfinite(tasksPerMessage) ? tasksPerMessage : 1;
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("autoscaler: listener failed: {}", e.toString(), e);
    }
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> future, String what) {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " took longer than " + CALL_TIMEOUT, e);
    }
  }

  @Override
  public String toString() {
    return "LocalAutoscaler[" + (taskQueue != null ? taskQueue : taskQueueName) + ", "
        + policy.config().minWorkers() + ".." + policy.config().maxWorkers() + "]";
  }

  /** Told what the autoscaler does, on its own thread (keep it quick). */
  public interface Listener {
    /** After every evaluation, whether or not it changed anything. */
    default void decided(ScalingDecision decision) {}

    /** After pending workers were terminated for not polling within the pending deadline. */
    default void terminatedStuck(List<WorkerInstance> workers) {}
  }

  /** Configuration of a {@link LocalAutoscaler}. */
  public static final class Builder {
    private Transport transport;
    private String taskQueue;
    private ComputeProvider provider;
    private ScalingConfig config;
    private Duration tick = Duration.ofSeconds(1);
    private DoubleSupplier tasksPerMessage = () -> 1;
    private Clock clock = Clock.systemUTC();
    private Listener listener = new Listener() {};
    private boolean closeProvider;

    private Builder() {}

    /** Where the task queue is; the autoscaler only reads its depth. */
    public Builder transport(Transport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    /** The task queue: an address, or a name resolved when the autoscaler starts. */
    public Builder taskQueue(String nameOrAddress) {
      this.taskQueue = Objects.requireNonNull(nameOrAddress, "nameOrAddress");
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

    /** Time between evaluations when nothing nudges (default 1 s). */
    public Builder tick(Duration tick) {
      Objects.requireNonNull(tick, "tick");
      if (tick.isNegative() || tick.isZero()) {
        throw new IllegalArgumentException("tick must be positive: " + tick);
      }
      this.tick = tick;
      return this;
    }

    /**
     * The current estimate of tasks per queue message (default 1), such as a publisher's tasks
     * sent over messages sent; values below 1 count as 1.
     */
    public Builder tasksPerMessage(DoubleSupplier estimate) {
      this.tasksPerMessage = Objects.requireNonNull(estimate, "estimate");
      return this;
    }

    /** The clock for the cool-down and the pending deadline (default: the system's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Close the provider, stopping its workers, when the autoscaler closes (default false). */
    public Builder closeProvider(boolean close) {
      this.closeProvider = close;
      return this;
    }

    public LocalAutoscaler build() {
      return new LocalAutoscaler(this);
    }
  }
}
