package dev.shoal.embedded;

import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.compute.LocalProcessProvider;
import dev.shoal.compute.WorkerSpec;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.transport.QueueOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Shoal's local default: a {@link QueueExecutor} on an embedded SQS server (ElasticMQ) with worker
 * JVMs started on this machine, all owned by the executor and stopped when it closes. The same
 * code paths as in the cloud (queue, bundles, leases, dead-letter queue, worker processes), with no
 * account and no Docker.
 */
public final class LocalQueueExecutor {
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

    private Builder() {}

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** Worker JVMs to start (default 2). */
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

    /** Workers exit after this long without work (default: never). */
    public Builder workerIdleTimeout(Duration timeout) {
      this.workerIdleTimeout = timeout;
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
      EmbeddedSqsServer server = EmbeddedSqsServer.start();
      try {
        Map<String, String> settings = Map.of(
            SqsClients.ENDPOINT, server.endpoint().toString(),
            SqsClients.REGION, "us-east-1",
            SqsClients.CREDENTIALS, "static");
        SqsTransport transport = SqsClients.transport(settings);
        WorkerSpec spec = new WorkerSpec("sqs", settings, taskQueue, slotsPerWorker, workerIdleTimeout, lease,
            maxDeliveries);
        LocalProcessProvider.Builder workerBuilder = LocalProcessProvider.builder().spec(spec).logDir(logDir);
        workerCustomizer.accept(workerBuilder);
        QueueExecutor.Builder builder = QueueExecutor.builder()
            .label(label)
            .transport(transport)
            .closeTransport(true)
            .closing(server)
            .taskQueue(taskQueue)
            // The service's redrive is a backstop behind the workers' own poison handling.
            .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(lease)
                .withMaxReceiveCount(maxDeliveries + 2))
            .workers(workerBuilder.build(), workers);
        customizer.accept(builder);
        return builder.build();
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }
  }
}
