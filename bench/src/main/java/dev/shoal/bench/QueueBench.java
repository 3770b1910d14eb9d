package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.embedded.EmbeddedSqsServer;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The queue executor end to end: no-op tasks through the embedded SQS server (ElasticMQ) and two
 * local worker JVMs of one slot each, as throughput and as round-trip latency of sequential tasks.
 * Baselines measured in the same run: the same executor with bundling off (one task per message),
 * and the bare round trip of one message through two SQS queues with an in-process echo consumer
 * (the floor any design on this queue pays). Then where a sequential round trip goes, hop by hop
 * ({@link HopTimes}, on a kernel of its own), and the resident memory of the whole local setup:
 * this JVM with the embedded server, and the worker JVMs ({@link ProcessMemory}).
 *
 * <p>Options: {@code --tasks N} (default 40,000), {@code --rtt M} sequential tasks a round (default 1,000),
 * {@code --rounds R} (default 5), {@code --workers W} (default 2). Each figure is the median of its
 * rounds, printed with the lowest and highest ({@code _min}, {@code _max}).
 */
public final class QueueBench {
  private QueueBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = 40_000;
    int rtt = 1_000;
    int rounds = 5;
    int workers = 2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--rtt" -> rtt = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-queue-bench");
    System.out.printf("queue bench: %,d no-op tasks, %,d sequential round trips, %d workers x 1 slot, %d rounds%n",
        tasks, rtt, workers, rounds);

    double[] perSecond = new double[rounds];
    double[] unbundled = new double[rounds];
    double[] rttP50 = new double[rounds];
    double[] rttP99 = new double[rounds];
    ProcessMemory memory;
    try (DataFlowKernel dfk = kernel(runDir, workers, builder -> {})) {
      // Warm-up: the AWS SDK, ElasticMQ and the workers run interpreted at first; a cold request
      // costs several times a warm one.
      throughput(dfk, tasks);
      for (int round = 0; round < rounds; round++) {
        perSecond[round] = throughput(dfk, tasks);
        System.out.printf("round %d: %,.0f tasks/s%n", round + 1, perSecond[round]);
      }
      roundTrips(dfk, 1_500); // warm-up
      for (int round = 0; round < rounds; round++) {
        double[] latencies = roundTrips(dfk, rtt);
        rttP50[round] = Spread.percentile(latencies, 50);
        rttP99[round] = Spread.percentile(latencies, 99);
        System.out.printf("round %d: round trip p50 %.2f ms, p99 %.2f ms%n", round + 1, rttP50[round], rttP99[round]);
      }
      // While the cluster is up, after both loads: the client with its embedded server and the workers.
      memory = ProcessMemory.ofThisTree();
    }
    try (DataFlowKernel dfk = kernel(runDir, workers, builder -> builder.maxTasksPerMessage(1))) {
      throughput(dfk, 1_000);
      int unbundledTasks = Math.min(tasks, 5_000);
      for (int round = 0; round < rounds; round++) {
        unbundled[round] = throughput(dfk, unbundledTasks);
        System.out.printf("round %d, bundling off: %,.0f tasks/s%n", round + 1, unbundled[round]);
      }
    }
    Map<HopTimes.Hop, double[]> hops = hopTimes(runDir, workers, rtt);
    double[] bare = bareSqsRoundTrips(rtt);

    Spread throughput = Spread.of(perSecond);
    Spread baseline = Spread.of(unbundled);
    Spread p50 = Spread.of(rttP50);
    baseline.print("baseline_unbundled_tasks_per_s", "%.0f");
    System.out.printf("baseline_bare_sqs_rtt_p50_ms: %.2f%n", Spread.percentile(bare, 50));
    System.out.printf("baseline_bare_sqs_rtt_p99_ms: %.2f%n", Spread.percentile(bare, 99));
    System.out.printf("ratio_tasks_per_s_vs_unbundled: %.2f%n", throughput.median() / baseline.median());
    System.out.printf("ratio_rtt_p50_vs_bare_sqs: %.2f%n", p50.median() / Spread.percentile(bare, 50));
    throughput.print("queue_tasks_per_s", "%.0f");
    p50.print("queue_rtt_p50_ms", "%.2f");
    Spread.of(rttP99).print("queue_rtt_p99_ms", "%.2f");
    for (Map.Entry<HopTimes.Hop, double[]> hop : hops.entrySet()) {
      System.out.printf("hop_%s_p50_us: %.0f  (%s)%n", hop.getKey().name().toLowerCase(java.util.Locale.ROOT),
          Spread.percentile(hop.getValue(), 50), hop.getKey().meaning);
    }
    System.out.printf("local_cluster_processes: %d%n", memory.processes());
    System.out.printf("local_cluster_peak_rss_mib: %.0f%n", memory.peakMib());
    System.out.printf("local_cluster_rss_mib: %.0f%n", memory.residentMib());
  }

  /**
   * Sequential round trips on a kernel of their own with a listener that keeps every task's
   * events, split into hops. Not on the measured kernel: the listener's work would be in its figures.
   */
  static Map<HopTimes.Hop, double[]> hopTimes(Path runDir, int workers, int count) throws InterruptedException {
    HopTimes listener = new HopTimes();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).listener(listener)
        .executor(cluster(runDir, workers, builder -> {})).build()) {
      roundTrips(dfk, 1_500);
      List<Long> taskIds = new java.util.ArrayList<>(count);
      List<java.time.Instant> joined = new java.util.ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        AppFuture<Long> future = dfk.call(BenchApps.NOOP, (long) i);
        future.join();
        joined.add(java.time.Instant.now());
        taskIds.add(future.taskId());
      }
      dfk.waitForCurrentTasks();
      Map<HopTimes.Hop, double[]> hops = listener.hops(taskIds, joined);
      System.out.printf("hop_tasks_left_out: %d of %d (their result came back before their send's completion)%n",
          listener.incomplete(), count);
      return hops;
    }
  }

  /** A kernel on a fresh {@link #cluster}. */
  static DataFlowKernel kernel(Path runDir, int workers, Consumer<QueueExecutor.Builder> customizer) {
    return DataFlowKernel.builder().runDir(runDir).executor(cluster(runDir, workers, customizer)).build();
  }

  /** A local cluster of {@code workers} JVMs x 1 slot on its own task queue, in-process burst off. */
  static LocalCluster cluster(Path runDir, int workers, Consumer<QueueExecutor.Builder> customizer) {
    return LocalCluster.builder()
        .workers(workers)
        .slotsPerWorker(1)
        // The figure is the path through worker JVMs: no in-process burst during the warm-up.
        .inProcessBurst(false)
        .logDir(runDir.resolve("workers"))
        .taskQueue("bench-" + System.nanoTime())
        .configure(customizer)
        .build();
  }

  static double throughput(DataFlowKernel dfk, int tasks) throws Exception {
    AppFuture<?>[] futures = new AppFuture<?>[tasks];
    long started = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
      futures[i] = dfk.call(BenchApps.NOOP, (long) i);
    }
    dfk.waitForCurrentTasks();
    long elapsed = System.nanoTime() - started;
    for (int i = 0; i < tasks; i++) {
      if (((Long) futures[i].join()) != i) {
        throw new IllegalStateException("wrong result for task " + i);
      }
    }
    return tasks / (elapsed / 1e9);
  }

  /** Milliseconds from call to result, one task at a time. */
  static double[] roundTrips(DataFlowKernel dfk, int count) {
    double[] millis = new double[count];
    for (int i = 0; i < count; i++) {
      long started = System.nanoTime();
      long result = dfk.call(BenchApps.NOOP, (long) i).join();
      millis[i] = (System.nanoTime() - started) / 1e6;
      if (result != i) {
        throw new IllegalStateException("wrong result " + result);
      }
    }
    return millis;
  }

  /** One message out and back through two queues, echoed by a thread in this JVM. */
  static double[] bareSqsRoundTrips(int count) throws Exception {
    try (EmbeddedSqsServer server = EmbeddedSqsServer.start();
         SqsTransport transport = SqsClients.transport(Map.of(SqsClients.ENDPOINT, server.endpoint().toString(),
             SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static"))) {
      String out = transport.createQueue("bare-out", QueueOptions.defaults()).join();
      String back = transport.createQueue("bare-back", QueueOptions.defaults()).join();
      java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread echo = new Thread(() -> {
        while (running.get()) {
          List<ReceivedMessage> messages = transport.receive(out, 10, Duration.ofSeconds(1)).join();
          if (!messages.isEmpty()) {
            transport.send(back, messages.stream().map(ReceivedMessage::body).toList()).join();
            transport.ack(out, messages).join();
          }
        }
      }, "bare-echo");
      echo.setDaemon(true);
      echo.start();
      double[] millis = new double[count + 200];
      for (int i = 0; i < millis.length; i++) {
        long started = System.nanoTime();
        transport.send(out, List.of(("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8))).join();
        List<ReceivedMessage> received;
        do {
          received = transport.receive(back, 10, Duration.ofSeconds(5)).join();
        } while (received.isEmpty());
        transport.ack(back, received).join();
        millis[i] = (System.nanoTime() - started) / 1e6;
      }
      running.set(false);
      echo.join(); // before the transport closes under its last poll
      return Arrays.copyOfRange(millis, 200, millis.length);
    }
  }
}
