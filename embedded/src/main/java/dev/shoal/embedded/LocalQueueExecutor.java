package dev.shoal.embedded;

import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.compute.ComputeProvider;
import dev.shoal.compute.WorkerInstance;
import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingConfig;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.transport.QueueOptions;
import dev.shoal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Shoal's local default: a {@link QueueExecutor} on an embedded SQS server (ElasticMQ) with worker
 * JVMs started on this machine, all owned by the executor and stopped when it closes. The same
 * code paths as in the cloud (queue, bundles, leases, dead-letter queue, worker processes), with no
 * account and no Docker. With {@link Builder#maxWorkers(int)} the pool is not fixed: a
 * {@link LocalAutoscaler} grows it from the task queue's depth and idle workers leave by themselves.
 */
public final class LocalQueueExecutor {
  /** How long an autoscaled worker waits for work before it leaves, unless set. */
  private static final Duration DEFAULT_SCALING_IDLE_TIMEOUT = Duration.ofMinutes(1);

  private LocalQueueExecutor() {}

  public static Builder builder() {
    return new Builder();
  }

  /** Configuration of a local queue executor. */
  public static final class Builder {
    private String label = "queue";
    private int workers = 2;
    private int slotsPerWorker = 1;
    private Duration lease = Duration.ofSeconds(30);
    private int maxDeliveries = 3;
    private Duration workerIdleTimeout;
    private Path logDir = Path.of("runinfo", "workers");
    private String taskQueue = "shoal-tasks";
    private Consumer<QueueExecutor.Builder> customizer = builder -> {};
    private Consumer<LocalProcessProvider.Builder> workerCustomizer = builder -> {};
    private Integer minWorkers;
    private Integer maxWorkers;
    private Consumer<LocalAutoscaler.Builder> scalingCustomizer = builder -> {};
    private boolean nudge = true;

    private Builder() {}

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** Worker JVMs to start (default 2); not used when autoscaling ({@link #maxWorkers(int)}). */
    public Builder workers(int workers) {
      this.workers = workers;
      return this;
    }

    /** Tasks each worker runs at once (default 1). */
    public Builder slotsPerWorker(int slots) {
      this.slotsPerWorker = slots;
      return this;
    }

    /** The task queue's visibility timeout, which workers extend while they work (default 30 s). */
    public Builder lease(Duration lease) {
      this.lease = Objects.requireNonNull(lease, "lease");
      return this;
    }

    /** Deliveries after which a task that keeps killing its worker is dead-lettered (default 3). */
    public Builder maxDeliveries(int deliveries) {
      this.maxDeliveries = deliveries;
      return this;
    }

    /**
     * Workers exit after this long without work (default: never; 1 minute when autoscaling). When
     * autoscaling it is also the cool-down: the pool shrinks by workers leaving after it.
     */
    public Builder workerIdleTimeout(Duration timeout) {
      this.workerIdleTimeout = timeout;
      return this;
    }

    /** Workers kept when there is no work, when autoscaling (default 0). */
    public Builder minWorkers(int min) {
      this.minWorkers = min;
      return this;
    }

    /**
     * Scale the pool from the task queue's depth, up to this many workers, instead of starting a
     * fixed number: a burst is met at once, and idle workers leave after the idle timeout.
     */
    public Builder maxWorkers(int max) {
      this.maxWorkers = max;
      return this;
    }

    /**
     * Whether publishing tasks nudges the autoscaler to decide at once (default true); without it,
     * a burst waits for the next tick.
     */
    public Builder nudge(boolean nudge) {
      this.nudge = nudge;
      return this;
    }

    /** Further settings of the autoscaler (tick, listener...), when autoscaling. */
    public Builder configureScaling(Consumer<LocalAutoscaler.Builder> customizer) {
      this.scalingCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    public Builder logDir(Path dir) {
      this.logDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public Builder taskQueue(String name) {
      this.taskQueue = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Further settings of the queue executor (task timeout, bundling, signing...). */
    public Builder configure(Consumer<QueueExecutor.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Further settings of the worker processes (JVM options, environment...). */
    public Builder configureWorkers(Consumer<LocalProcessProvider.Builder> customizer) {
      this.workerCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Starts the embedded server; workers start when the kernel starts the executor. */
    public QueueExecutor build() {
      if (minWorkers != null && maxWorkers == null) {
        throw new IllegalStateException("minWorkers is for autoscaling: set maxWorkers too");
      }
      boolean autoscaling = maxWorkers != null;
      Duration idleTimeout = workerIdleTimeout == null && autoscaling ? DEFAULT_SCALING_IDLE_TIMEOUT
          : workerIdleTimeout;
      ScalingConfig scaling = null;
      if (autoscaling) {
        // Fails here, before a server starts, when the limits make no sense.
        scaling = ScalingConfig.builder().minWorkers(minWorkers == null ? 0 : minWorkers).maxWorkers(maxWorkers)
            .slotsPerWorker(slotsPerWorker).coolDown(idleTimeout).build();
      }
      EmbeddedSqsServer server = EmbeddedSqsServer.start();
      try {
        Map<String, String> settings = Map.of(
            SqsClients.ENDPOINT, server.endpoint().toString(),
            SqsClients.REGION, "us-east-1",
            SqsClients.CREDENTIALS, "static");
        SqsTransport transport = SqsClients.transport(settings);
        WorkerOptions workerOptions = WorkerOptions.of("sqs", settings, taskQueue).withSlots(slotsPerWorker)
            .withIdleTimeout(idleTimeout).withLease(lease).withMaxDeliveries(maxDeliveries);
        LocalProcessProvider.Builder workerBuilder = LocalProcessProvider.builder().options(workerOptions)
            .logDir(logDir);
        workerCustomizer.accept(workerBuilder);
        LocalProcessProvider provider = workerBuilder.build();
        QueueExecutor.Builder builder = QueueExecutor.builder()
            .label(label)
            .transport(transport)
            .closeTransport(true)
            .taskQueue(taskQueue)
            // The service's redrive is a backstop behind the workers' own poison handling.
            .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(lease)
                .withMaxReceiveCount(maxDeliveries + 2));
        AtomicReference<QueueExecutor> built = new AtomicReference<>();
        if (autoscaling) {
          LocalAutoscaler.Builder scaler = LocalAutoscaler.builder()
              .transport(transport)
              .taskQueue(taskQueue)
              .provider(provider)
              .config(scaling)
              // Bundles carry many tasks: the bundling achieved so far is the estimate.
              .tasksPerMessage(() -> {
                QueueExecutor executor = built.get();
                return executor == null || executor.messagesSent() == 0 ? 1
                    : (double) executor.tasksSent() / executor.messagesSent();
              })
              // The autoscaler owns the pool; it stops the workers when it closes.
              .closeProvider(true);
          scalingCustomizer.accept(scaler);
          LocalAutoscaler autoscaler = scaler.build();
          if (nudge) {
            builder.publishListener(tasks -> autoscaler.nudge());
          }
          builder
              // It reads the task queue, which exists once the executor has started.
              .startListener(autoscaler::start)
              // The executor closes its workers first thing, while the queues and the transport are
              // still up: the autoscaler stops there too, then stops the workers.
              .workers(new AutoscaledPool(provider, autoscaler), 0);
        } else {
          builder.workers(provider, workers);
        }
        builder.closing(server);
        customizer.accept(builder);
        QueueExecutor executor = builder.build();
        built.set(executor);
        return executor;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }

  /** A pool that an autoscaler sizes: closing it stops the autoscaler, which then stops the workers. */
  private record AutoscaledPool(ComputeProvider provider, LocalAutoscaler autoscaler) implements ComputeProvider {
    @Override
    public List<WorkerInstance> launch(int count) {
      return provider.launch(count);
    }

    @Override
    public List<WorkerInstance> list() {
      return provider.list();
    }

    @Override
    public void terminate(Collection<String> workerIds) {
      provider.terminate(workerIds);
    }

    @Override
    public void close() {
      autoscaler.close();
    }
  }
}
