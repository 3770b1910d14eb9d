package dev.shoal.dispatcher;

import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ScalingStep} hosted in this JVM, for local mode: it evaluates the pool on every tick,
 * and at once when {@linkplain #nudge() nudged}. It logs one line per decision that changes
 * something, not one per tick, and one warning per outage of the task queue, during which it holds
 * the pool as it is. What an evaluation does (and never does: stop a worker that polls) is the
 * step's.
 *
 * <p>All evaluations run on one thread of its own, so they never overlap.
 */
public final class LocalAutoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalAutoscaler.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Transport transport;
  private final String taskQueueName;
  private final String vmQueueName;
  private final ComputeProvider provider;
  private final ScalingConfig config;
  private final Duration tick;
  private final DoubleSupplier tasksPerMessage;
  private final Clock clock;
  private final List<Listener> listeners;
  private final boolean closeProvider;
  private final ScheduledExecutorService loop;
  private final Coalescer nudges;

  // Written once by start() before the loop runs (volatile for toString()).
  private volatile ScalingStep step;
  // Touched only on the loop thread.
  private ScalingDecision lastDecision;
  private boolean depthFailing;

  private volatile boolean started;
  private volatile boolean closed;

  private LocalAutoscaler(Builder builder) {
    this.transport = Objects.requireNonNull(builder.transport, "an autoscaler needs a transport");
    this.taskQueueName = Objects.requireNonNull(builder.taskQueue, "an autoscaler needs a task queue");
    this.vmQueueName = builder.vmQueue;
    this.provider = Objects.requireNonNull(builder.provider, "an autoscaler needs a compute provider");
    this.config = Objects.requireNonNull(builder.config, "an autoscaler needs a scaling config");
    this.tick = builder.tick;
    this.tasksPerMessage = builder.tasksPerMessage;
    this.clock = builder.clock;
    this.listeners = List.copyOf(builder.listeners);
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
    return config;
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
    String taskQueue = await(transport.resolveQueue(taskQueueName), "resolving task queue " + taskQueueName);
    // Built here, so that the cool-down runs from the first evaluation, which is now.
    ScalingStep.Builder steps = ScalingStep.builder()
        .taskQueue(transport, taskQueue)
        .provider(provider)
        .config(config)
        .clock(clock)
        .tasksPerMessage(tasksPerMessage)
        .depthTimeout(CALL_TIMEOUT);
    if (vmQueueName != null) {
      steps.vmQueue(await(transport.resolveQueue(vmQueueName), "resolving VM-only queue " + vmQueueName));
    }
    step = steps.build();
    started = true;
    loop.scheduleWithFixedDelay(this::evaluate, 0, tick.toNanos(), TimeUnit.NANOSECONDS);
    log.info("autoscaler: {} to {} workers of {} slots on {}, every {}", config.minWorkers(), config.maxWorkers(),
        config.slotsPerWorker(), taskQueue, ScalingPolicy.brief(tick));
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
    // Interrupts an evaluation waiting on the queue service; it gives up quietly, launching nothing.
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
    ScalingOutcome outcome;
    try {
      outcome = step.evaluate();
    } catch (ScalingStep.DepthUnreadableException e) {
      if (!closed) {
        depthUnreadable(e);
      }
      return;
    } catch (RuntimeException e) {
      // One failed evaluation must not end the loop (a scheduled task that throws never runs again).
      log.warn("autoscaler: evaluation failed: {}", e.toString(), e);
      return;
    }
    if (depthFailing) {
      log.info("autoscaler: reading the depth of {} works again", step.taskQueue());
      depthFailing = false;
    }
    if (!outcome.terminatedStuck().isEmpty()) {
      listeners.forEach(listener -> notify(() -> listener.terminatedStuck(outcome.terminatedStuck())));
    }
    if (closed) {
      return;
    }
    ScalingDecision decision = outcome.decision();
    boolean worthLogging = worthLogging(lastDecision, decision);
    if (worthLogging) {
      log.info("autoscaler: {}", decision);
    } else {
      log.debug("autoscaler: {}", decision);
    }
    lastDecision = decision;
    for (Listener listener : listeners) {
      notify(() -> listener.evaluated(outcome));
      notify(() -> listener.decided(decision));
      if (worthLogging) {
        notify(() -> listener.logged(outcome));
      }
    }
  }

  private void depthUnreadable(ScalingStep.DepthUnreadableException e) {
    // Once per outage, not once per tick.
    if (!depthFailing) {
      log.warn("autoscaler: {}; holding the pool until it can be read", e.getMessage());
      depthFailing = true;
    } else {
      log.debug("autoscaler: still unreadable: {}", e.getMessage());
    }
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
    ScalingStep current = step;
    return "LocalAutoscaler[" + (current != null ? current.taskQueue() : taskQueueName) + ", "
        + config.minWorkers() + ".." + config.maxWorkers() + "]";
  }

  /** Told what the autoscaler does, on its own thread (keep it quick). */
  public interface Listener {
    /** After every evaluation, whether or not it changed anything. */
    default void decided(ScalingDecision decision) {}

    /** After every evaluation, with what it read and did. */
    default void evaluated(ScalingOutcome outcome) {}

    /**
     * After an evaluation whose decision was worth a log line: it launched workers, or first said
     * the pool may shrink to a size. What a run's monitors record of the pool.
     */
    default void logged(ScalingOutcome outcome) {}

    /** After pending workers were terminated for not polling within the pending deadline. */
    default void terminatedStuck(List<WorkerInstance> workers) {}
  }

  /** Configuration of a {@link LocalAutoscaler}. */
  public static final class Builder {
    private Transport transport;
    private String taskQueue;
    private String vmQueue;
    private ComputeProvider provider;
    private ScalingConfig config;
    private Duration tick = Duration.ofSeconds(1);
    private DoubleSupplier tasksPerMessage = () -> 1;
    private Clock clock = Clock.systemUTC();
    private final List<Listener> listeners = new ArrayList<>();
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

    /** The pool's VM-only queue, whose tasks are the workers' demand too: an address, or a name resolved at start. */
    public Builder vmQueue(String nameOrAddress) {
      this.vmQueue = Objects.requireNonNull(nameOrAddress, "nameOrAddress");
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

    /** Tells this listener what the autoscaler does, beside any given before. */
    public Builder listener(Listener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
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
