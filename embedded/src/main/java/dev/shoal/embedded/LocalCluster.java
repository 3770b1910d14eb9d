package dev.shoal.embedded;

import dev.shoal.aws.SqsClients;
import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingConfig;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.internal.wire.EnvelopeSigner;
import dev.shoal.spi.Invocation;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.spi.PublishListener;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.RunContext;
import dev.shoal.spi.TaskExecutor;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.worker.WorkerOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shoal's local default, and the one place its parts are built and closed: an embedded SQS server
 * (ElasticMQ) on a loopback port, the transport to it, a {@link QueueExecutor} on that transport,
 * and worker JVMs started on this machine with this JVM's class path, either a fixed number or a
 * pool that a {@link LocalAutoscaler} grows from the task queue's depth (idle workers leave by
 * themselves). The same code paths as in the cloud (queue, bundles, leases, dead-letter queue,
 * worker processes), with no account and no Docker.
 *
 * <p>It is the kernel's executor: the kernel starts it (workers start then) and closes it, which
 * stops the autoscaler, then the in-process worker, then the workers, then the executor, the
 * transport and the server.
 *
 * <p>While the worker JVMs it launches start, this JVM serves the first tasks itself, with a worker
 * of the same runtime on the same queue that stops as soon as a worker JVM polls; it never runs a
 * redelivered task, so a task that crashed a worker JVM never runs here. See
 * {@link Builder#inProcessBurst(boolean)}, which turns it off.
 *
 * <p>The queue service can be another one instead: {@link Builder#queueService(String, Map)} names a
 * transport (such as {@code "servicebus"}, with its settings) that this JVM and the workers it starts
 * both open; no server is embedded then. The same program runs on either by configuration alone.
 *
 * <p>Tasks and results are signed by default, with a key made for each cluster and handed to the
 * workers it starts through their environment: a task that anyone else put on the queue is
 * dead-lettered unrun, and a result that anyone else put on the reply queue is dropped.
 *
 * <pre>{@code
 * try (DataFlowKernel dfk = DataFlowKernel.builder()
 *     .executor(LocalCluster.builder().workers(2).build())
 *     .build()) { ... }
 * }</pre>
 */
public final class LocalCluster implements TaskExecutor {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  /** How long an autoscaled worker waits for work before it leaves, unless set. */
  private static final Duration DEFAULT_SCALING_IDLE_TIMEOUT = Duration.ofMinutes(1);
  /**
   * How long a worker tries a queue service that does not answer. The server lives in this JVM, so
   * an outage means this JVM is gone or stuck; the workers also stop when this JVM dies.
   */
  private static final Duration WORKER_UNREACHABLE_TIMEOUT = Duration.ofMinutes(1);
  /** Slots of the in-process worker: a few, since it shares this JVM and serves only until a worker JVM polls. */
  private static final int BURST_SLOTS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  /**
   * The in-process worker's long poll: short, since a message that arrives while its last poll is
   * open after it was asked to stop goes back to the queue, a delivery more; and it stops no sooner
   * than that poll ends.
   */
  private static final Duration BURST_RECEIVE_WAIT = Duration.ofSeconds(1);

  /** Null when the queue service is another one (see {@link Builder#queueService}). */
  private final EmbeddedSqsServer server;
  private final Transport transport;
  private final LocalProcessProvider workers;
  private final QueueExecutor executor;
  /** Null for a fixed pool. */
  private final LocalAutoscaler autoscaler;
  private final int fixedWorkers;
  /** Null when turned off ({@link Builder#inProcessBurst(boolean)}). */
  private final InProcessBurst burst;
  private final RunRelay relay;
  /** Null when turned off ({@link Builder#payloadStore(URI)}). */
  private final PayloadStore payloads;
  private final AtomicBoolean closed = new AtomicBoolean();

  private LocalCluster(EmbeddedSqsServer server, Transport transport, LocalProcessProvider workers,
      QueueExecutor executor, LocalAutoscaler autoscaler, int fixedWorkers, InProcessBurst burst,
      PayloadStore payloads, RunRelay relay) {
    this.relay = relay;
    this.server = server;
    this.transport = transport;
    this.workers = workers;
    this.executor = executor;
    this.autoscaler = autoscaler;
    this.fixedWorkers = fixedWorkers;
    this.burst = burst;
    this.payloads = payloads;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The queue executor, for its counters (tasks and messages sent, duplicates dropped). */
  public QueueExecutor executor() {
    return executor;
  }

  /** The worker processes. */
  public LocalProcessProvider workers() {
    return workers;
  }

  /**
   * Where the embedded SQS server listens (loopback only).
   *
   * @throws IllegalStateException when the cluster runs on another queue service
   */
  public URI endpoint() {
    if (server == null) {
      throw new IllegalStateException("this cluster embeds no server: its queue service is " + transport);
    }
    return server.endpoint();
  }

  @Override
  public String label() {
    return executor.label();
  }

  @Override
  public void start(RunContext context) {
    try {
      relay.serve(context);
      executor.start(context);
      if (burst != null) {
        burst.serve(executor.taskQueue());
      }
      if (autoscaler != null) {
        autoscaler.start();
      } else if (fixedWorkers > 0) {
        workers.launch(fixedWorkers);
        if (burst != null) {
          burst.workersLaunched();
        }
      }
    } catch (RuntimeException e) {
      // The kernel closes only the executors that started: this one cleans up after itself.
      close();
      throw e;
    }
  }

  @Override
  public void submit(Invocation invocation) {
    executor.submit(invocation);
  }

  @Override
  public void shutdown(boolean cancel) {
    executor.shutdown(cancel);
  }

  /** Closes every part, each after whatever uses it. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    List<AutoCloseable> order = new ArrayList<>();
    if (autoscaler != null) {
      order.add(autoscaler); // no launches while the pool stops
    }
    if (burst != null) {
      order.add(burst);      // stops serving (its running tasks finish) while the queues are up
    }
    order.add(workers);      // they finish or release what they hold while the queues are up
    order.add(executor);     // deletes what it still has in the payload store
    if (payloads != null) {
      order.add(payloads);
    }
    order.add(transport);
    if (server != null) {
      order.add(server);
    }
    for (AutoCloseable part : order) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("local cluster: closing {} failed: {}", part, e.toString());
      }
    }
  }

  /** The in-process worker's host, for tests; null when turned off. */
  InProcessBurst burst() {
    return burst;
  }

  @Override
  public String toString() {
    return "LocalCluster[" + executor.label() + " on " + (server != null ? server.endpoint() : transport) + "]";
  }

  /** The key a worker JVM inherits from this process's environment when the cluster sets none; null if none. */
  private static String inheritedKey() {
    String key = System.getenv(EnvelopeSigner.KEY_ENV);
    return key == null || key.isEmpty() ? null : key;
  }

  /** 32 random bytes as text, the form an environment variable can carry. */
  private static String generateSecret() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** Tasks per queue message over everything published so far: the autoscaler's estimate. */
  private static final class BundlingSoFar implements PublishListener, DoubleSupplier {
    private final LongAdder tasks = new LongAdder();
    private final LongAdder messages = new LongAdder();

    @Override
    public void published(int tasks, int messages) {
      this.tasks.add(tasks);
      this.messages.add(messages);
    }

    @Override
    public double getAsDouble() {
      long sent = messages.sum();
      return sent == 0 ? 1 : (double) tasks.sum() / sent;
    }
  }

  /** Worker slots ready to take tasks: those of the live workers, or of the largest pool when autoscaling. */
  private static IntSupplier consumers(LocalProcessProvider provider, Integer maxWorkers, int slotsPerWorker) {
    return maxWorkers != null ? () -> maxWorkers * slotsPerWorker : () -> provider.list().size() * slotsPerWorker;
  }

  /** Configuration of a local cluster; {@link #build()} never changes it, so it can build again. */
  public static final class Builder {
    private String label = "queue";
    private int workers = 2;
    private int slotsPerWorker = 1;
    private Duration lease = Duration.ofSeconds(30);
    private int maxDeliveries = 3;
    private Duration workerIdleTimeout;
    private Path logDir = Path.of("runinfo", "workers");
    private String taskQueue = "shoal-tasks";
    private String vmQueue;
    private Consumer<QueueExecutor.Builder> customizer = builder -> { };
    private Consumer<LocalProcessProvider.Builder> workerCustomizer = builder -> { };
    private Integer minWorkers;
    private Integer maxWorkers;
    private Consumer<LocalAutoscaler.Builder> scalingCustomizer = builder -> { };
    private boolean nudge = true;
    private boolean inProcessBurst = true;
    /** Null: a folder beside the log folder, made absolute when built. */
    private URI payloadStore;
    private boolean payloads = true;
    private boolean signing = true;
    private String signingKey;
    private String transportName;
    private Map<String, String> transportSettings = Map.of();

    private Builder() {}

    /**
     * Runs on another queue service instead of the embedded server: the transport registered under
     * {@code name} (a {@link TransportProvider} on the class path, such as {@code "sqs"} or
     * {@code "servicebus"}), opened with {@code settings} here and in every worker, which get them on
     * their command line (so put no secret in them that other users of this machine must not see:
     * a connection string's key belongs in the environment the provider reads, where it has one).
     */
    public Builder queueService(String name, Map<String, String> settings) {
      this.transportName = Objects.requireNonNull(name, "name");
      this.transportSettings = Map.copyOf(settings);
      return this;
    }

    public Builder label(String label) {
      this.label = Objects.requireNonNull(label, "label");
      return this;
    }

    /** Worker JVMs to start (default 2); not used when autoscaling ({@link #maxWorkers(int)}). */
    public Builder workers(int workers) {
      if (workers < 0) {
        throw new IllegalArgumentException("workers must be >= 0: " + workers);
      }
      this.workers = workers;
      return this;
    }

    /** Tasks each worker runs at once (default 1). */
    public Builder slotsPerWorker(int slots) {
      if (slots < 1) {
        throw new IllegalArgumentException("slotsPerWorker must be >= 1: " + slots);
      }
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

    /**
     * Whether this JVM serves the first tasks itself while the worker JVMs it launches start
     * (default true): when the cluster launches workers (a fixed pool at start, or an autoscaled
     * pool with none of its workers polling yet), a worker runs in this JVM, the same runtime as
     * theirs on the same queue, with a few slots, and stops as soon as a worker JVM polls. Tasks
     * then start in milliseconds instead of the seconds a JVM takes to start, and the program sees
     * no other difference: same apps, same results, the same at-least-once delivery.
     *
     * <p>Turn it off for apps that may kill the process they run in (a native crash, an
     * out-of-memory error, {@code System.exit}): in this JVM, such a task kills the program. The
     * in-process worker takes only a task's first delivery, so a task that crashed a worker JVM
     * never runs here; it holds a redelivered message unrun until it stops (a delivery of the
     * message's budget spent on that, see {@link #maxDeliveries(int)}). Its tasks also share this
     * JVM's heap and processors.
     */
    public Builder inProcessBurst(boolean on) {
      this.inProcessBurst = on;
      return this;
    }

    /**
     * Where arguments and results too large for a queue message go (claim checks): a store's root
     * that this JVM and the workers both open, such as {@code file:///data/payloads} (the default is
     * the folder {@code payloads} beside the log folder), or {@code s3://bucket/prefix} on another
     * queue service. Objects are deleted once consumed; a run that dies leaves its own, under its
     * run id.
     */
    public Builder payloadStore(URI root) {
      this.payloadStore = Objects.requireNonNull(root, "root");
      this.payloads = true;
      return this;
    }

    /** No payload store: a payload over the queue's limit fails its task at once ({@code PayloadTooLargeException}). */
    public Builder noPayloadStore() {
      this.payloadStore = null;
      this.payloads = false;
      return this;
    }

    /** Further settings of the autoscaler (tick, listener...), when autoscaling. */
    public Builder configureScaling(Consumer<LocalAutoscaler.Builder> customizer) {
      this.scalingCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Where each worker's log goes (default {@code runinfo/workers}). */
    public Builder logDir(Path dir) {
      this.logDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    public Builder taskQueue(String name) {
      this.taskQueue = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * A VM-only queue beside the task queue, as a cloud pool with burst functions has: tasks of
     * apps that may not run in a function ({@link dev.shoal.app.AppBuilder#runsInFunctions}) go
     * there, the worker JVMs serve both queues, and the in-process burst (this JVM's stand-in for
     * the functions) serves the task queue alone. None by default.
     */
    public Builder vmQueue(String name) {
      this.vmQueue = Objects.requireNonNull(name, "name");
      if (vmQueue.equals(taskQueue)) {
        throw new IllegalArgumentException("the VM-only queue must be another queue than the task queue: " + name);
      }
      return this;
    }

    /**
     * Whether tasks and results are signed (default true). The key is the one set with
     * {@link #signingKey(String)}, else {@value EnvelopeSigner#KEY_ENV} from this process's
     * environment, else 32 random bytes made for each cluster. Turned off, the cluster sets no key:
     * the executor and the workers (who inherit this process's environment) then sign only if
     * {@value EnvelopeSigner#KEY_ENV} is set.
     */
    public Builder signing(boolean signing) {
      this.signing = signing;
      return this;
    }

    /**
     * The secret that signs tasks and results, for the executor and its workers alike (at least 16
     * bytes in UTF-8; the same form as {@value EnvelopeSigner#KEY_ENV}): set it to sign tasks from
     * elsewhere, or to share a key with workers started by other means. Workers get it through
     * their environment, never their command line.
     */
    public Builder signingKey(String secret) {
      Objects.requireNonNull(secret, "secret");
      int bytes = secret.getBytes(StandardCharsets.UTF_8).length;
      if (bytes < EnvelopeSigner.MIN_KEY_BYTES) {
        throw new IllegalArgumentException("a signing key needs at least " + EnvelopeSigner.MIN_KEY_BYTES
            + " bytes, got " + bytes);
      }
      this.signingKey = secret;
      return this;
    }

    /**
     * Further settings of the queue executor (task timeout, bundling...). Signing is the cluster's
     * own setting ({@link #signing(boolean)}, {@link #signingKey(String)}), so that the executor and
     * its workers always hold the same key: a key set here is replaced by the cluster's.
     */
    public Builder configure(Consumer<QueueExecutor.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** Further settings of the worker processes (JVM options, environment...). */
    public Builder configureWorkers(Consumer<LocalProcessProvider.Builder> customizer) {
      this.workerCustomizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /** The key for both sides, per {@link #signing(boolean)}; null when signing is off. */
    private String signingSecret() {
      if (!signing) {
        return null;
      }
      if (signingKey != null) {
        return signingKey;
      }
      String inherited = System.getenv(EnvelopeSigner.KEY_ENV);
      return inherited != null && !inherited.isEmpty() ? inherited : generateSecret();
    }

    /** Starts the embedded server; workers start when the kernel starts the cluster. */
    public LocalCluster build() {
      if (minWorkers != null && maxWorkers == null) {
        throw new IllegalStateException("minWorkers is for autoscaling: set maxWorkers too");
      }
      boolean autoscaling = maxWorkers != null;
      Duration idleTimeout = workerIdleTimeout == null && autoscaling ? DEFAULT_SCALING_IDLE_TIMEOUT
          : workerIdleTimeout;
      // Fails here, before a server starts, when the limits make no sense.
      ScalingConfig scaling = autoscaling ? ScalingConfig.builder().minWorkers(minWorkers == null ? 0 : minWorkers)
          .maxWorkers(maxWorkers).slotsPerWorker(slotsPerWorker).coolDown(idleTimeout).build() : null;

      // Found before a server starts: a transport that is not on the class path fails here.
      TransportProvider service = transportName == null ? null : TransportProvider.named(transportName);
      EmbeddedSqsServer server = service == null ? EmbeddedSqsServer.start() : null;
      List<AutoCloseable> built = new ArrayList<>();
      if (server != null) {
        built.add(server);
      }
      try {
        String workerTransport = service == null ? "sqs" : transportName;
        Map<String, String> settings = service == null ? Map.of(
            SqsClients.ENDPOINT, server.endpoint().toString(),
            SqsClients.REGION, "us-east-1",
            SqsClients.CREDENTIALS, "static") : transportSettings;
        Transport transport = service == null ? SqsClients.transport(settings) : service.create(settings);
        built.add(0, transport::close);

        URI payloadRoot = !payloads ? null
            : payloadStore != null ? payloadStore : logDir.resolveSibling("payloads").toAbsolutePath().toUri();
        PayloadStore store = payloadRoot == null ? null
            : PayloadStoreProvider.forScheme(payloadRoot.getScheme()).create(payloadRoot, settings);
        if (store != null) {
          built.add(0, store);
        }
        WorkerOptions workerOptions = WorkerOptions.of(workerTransport, settings, taskQueue).withSlots(slotsPerWorker)
            .withVmQueue(vmQueue)
            .withPayloadStore(payloadRoot)
            .withIdleTimeout(idleTimeout).withLease(lease).withMaxDeliveries(maxDeliveries)
            // Named explicitly, a worker that misses the key refuses to start instead of
            // running every task unsigned.
            .withSigningKeyEnv(signing ? EnvelopeSigner.KEY_ENV : null)
            .withUnreachableTimeout(WORKER_UNREACHABLE_TIMEOUT)
            // Kept after the workers stop: a CommandResult names files in it.
            .withWorkDir(logDir.resolveSibling("worker-tasks").toAbsolutePath());
        LocalProcessProvider.Builder workerBuilder = LocalProcessProvider.builder()
            .options(workerOptions)
            .logDir(logDir);
        workerCustomizer.accept(workerBuilder);
        String secret = signingSecret();
        if (secret != null) {
          // After the customizer, so that workers and executor cannot end up with different keys;
          // through the environment, since a command line is visible to every user of the machine.
          workerBuilder.environment(EnvelopeSigner.KEY_ENV, secret);
        }
        LocalProcessProvider provider = workerBuilder.build();
        built.add(0, provider);
        RunRelay relay = new RunRelay(label);
        provider.lifecycle(relay);
        InProcessBurst burst = null;
        if (inProcessBurst) {
          // The task queue alone: what a function could run.
          burst = new InProcessBurst(workerOptions.withVmQueue(null).withSlots(BURST_SLOTS).withIdleTimeout(Duration.ZERO)
              .withReceiveWait(BURST_RECEIVE_WAIT), transport,
              // With signing off, as the worker JVMs: the key they inherit, if this process has one.
              secret != null ? secret : inheritedKey(), provider);
          built.add(0, burst);
          burst.lifecycle(relay);
        }

        QueueExecutor.Builder executorBuilder = QueueExecutor.builder()
            .label(label)
            .transport(transport)
            .taskQueue(taskQueue)
            // The service's redrive is a backstop behind the workers' own poison handling.
            .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(lease)
                .withMaxReceiveCount(maxDeliveries + 2))
            // A burst goes out in at least one message per slot, so that every worker gets a share:
            // the workers running, or when autoscaling, the pool the burst will grow it to.
            .consumers(consumers(provider, autoscaling ? maxWorkers : null, slotsPerWorker));
        if (vmQueue != null) {
          executorBuilder.vmQueue(vmQueue);
        }
        LocalAutoscaler autoscaler = null;
        if (autoscaling) {
          // Built before the executor: publishing nudges it, and what was published so far tells
          // it how many tasks a queue message carries.
          BundlingSoFar bundling = new BundlingSoFar();
          LocalAutoscaler.Builder scaler = LocalAutoscaler.builder()
              .transport(transport)
              .taskQueue(taskQueue)
              .provider(burst != null ? burst.watching(provider) : provider)
              .config(scaling)
              .tasksPerMessage(bundling)
              .listener(relay);
          if (vmQueue != null) {
            scaler.vmQueue(vmQueue);
          }
          scalingCustomizer.accept(scaler);
          autoscaler = scaler.build();
          built.add(0, autoscaler);
          LocalAutoscaler nudged = autoscaler;
          executorBuilder.publishListener(nudge ? bundling.andThen((tasks, messages) -> nudged.nudge()) : bundling);
        }
        if (store != null) {
          executorBuilder.payloadStore(store);
        }
        customizer.accept(executorBuilder);
        if (secret != null) {
          executorBuilder.signingKey(secret.getBytes(StandardCharsets.UTF_8));
        }
        return new LocalCluster(server, transport, provider, executorBuilder.build(), autoscaler,
            autoscaling ? 0 : workers, burst, store, relay);
      } catch (RuntimeException e) {
        for (AutoCloseable part : built) {
          try {
            part.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
    }
  }
}
