package dev.shoal.bench.chaos;

import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.embedded.LocalProcessProvider;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The local default's parts, assembled by hand so that faults can be put between them: the
 * embedded SQS server, optionally behind a {@link ChaosProxy}, the client's transport, worker JVMs
 * that reach the server the same way, a queue executor and a kernel. Every worker process ever
 * started is remembered, so that the run can check that none is left when it closes.
 */
final class ChaosStack implements AutoCloseable {
  static final Duration LEASE = Duration.ofSeconds(2);
  static final String SIGNING_KEY = "chaos-signing-key-0123456789abcdef";

  final EmbeddedSqsServer server;
  final ChaosProxy proxy;
  final Transport transport;
  final LocalProcessProvider workers;
  final QueueExecutor executor;
  final DataFlowKernel dfk;
  final String taskQueue;
  private final Set<ProcessHandle> started = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private final java.util.concurrent.ScheduledExecutorService supervisor =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

  /** Faults to set up in the stack. */
  record Faults(boolean proxy, Instant faultsFrom, Instant faultsUntil, double faultRate) {
    static Faults none() {
      return new Faults(false, null, null, 0);
    }
  }

  private ChaosStack(Path runDir, int workerCount, Faults faults, UnaryOperator<QueueExecutor.Builder> executorSettings)
      throws IOException {
    server = EmbeddedSqsServer.start();
    proxy = faults.proxy() ? ChaosProxy.start(server.port()) : null;
    Map<String, String> settings = Map.of(
        SqsClients.ENDPOINT, (proxy != null ? proxy.endpoint() : server.endpoint()).toString(),
        SqsClients.REGION, "us-east-1",
        SqsClients.CREDENTIALS, "static");
    String transportName = "sqs";
    Map<String, String> workerSettings = new HashMap<>(settings);
    Transport client = SqsClients.transport(settings);
    if (faults.faultRate() > 0) {
      client = FaultyTransportProvider.wrap(client, faults.faultsFrom(), faults.faultsUntil(), faults.faultRate());
      transportName = "faulty";
      workerSettings.put(FaultyTransportProvider.INNER, "sqs");
      workerSettings.put(FaultyTransportProvider.FROM, faults.faultsFrom().toString());
      workerSettings.put(FaultyTransportProvider.UNTIL, faults.faultsUntil().toString());
      workerSettings.put(FaultyTransportProvider.RATE, Double.toString(faults.faultRate()));
    }
    transport = client;
    taskQueue = "chaos-" + Long.toHexString(System.nanoTime());
    workers = LocalProcessProvider.builder()
        // Short polls: a killed worker's last poll ends soon; idle workers stay for the whole run.
        .options(WorkerOptions.of(transportName, workerSettings, taskQueue).withSlots(2).withLease(LEASE)
            .withMaxDeliveries(3).withReceiveWait(Duration.ofSeconds(1)).withIdleTimeout(Duration.ZERO))
        .environment("SHOAL_SIGNING_KEY", SIGNING_KEY)
        .logDir(runDir.resolve("workers"))
        .stopGrace(Duration.ofSeconds(10))
        .build();
    executor = executorSettings.apply(QueueExecutor.builder()
            .transport(transport)
            .taskQueue(taskQueue)
            .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(LEASE).withMaxReceiveCount(5))
            .signingKey(SIGNING_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .taskTimeout(Duration.ofMinutes(5))
            .publishRetryTimeout(Duration.ofMinutes(2)))
        .build();
    dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build();
    launch(workerCount);
  }

  static ChaosStack start(Path runDir, int workers, Faults faults) throws IOException {
    return new ChaosStack(runDir, workers, faults, builder -> builder);
  }

  void launch(int count) {
    for (WorkerInstance worker : workers.launch(count)) {
      workers.process(worker.id()).ifPresent(started::add);
    }
  }

  /**
   * Starts a worker whenever fewer than {@code count} are alive, as an autoscaler would: a task that
   * kills its workers must meet a new one on each delivery until it is dead-lettered.
   */
  void keepAlive(int count) {
    supervisor.scheduleWithFixedDelay(() -> {
      int missing = count - workers.list().size();
      if (missing > 0 && !closed) {
        launch(missing);
      }
    }, 200, 200, TimeUnit.MILLISECONDS);
  }

  /** Kills one live worker the hard way (SIGKILL); false when none is alive. */
  boolean killOne() {
    List<WorkerInstance> alive = workers.list();
    if (alive.isEmpty()) {
      return false;
    }
    WorkerInstance victim = alive.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(alive.size()));
    return workers.process(victim.id()).map(ProcessHandle::destroyForcibly).orElse(false);
  }

  /** Worker processes still alive, after waiting a while for each to end. */
  int leftRunning() {
    int alive = 0;
    for (ProcessHandle process : started) {
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // still alive, or the wait was cut short
      }
      if (process.isAlive()) {
        alive++;
      }
    }
    return alive;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    supervisor.shutdownNow();
    dfk.close();
    workers.close();
    transport.close();
    if (proxy != null) {
      proxy.close();
    }
    server.close();
  }
}
