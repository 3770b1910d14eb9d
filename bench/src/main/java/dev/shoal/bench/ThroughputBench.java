package dev.shoal.bench;

import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * No-op tasks per second through the local default's queue path (embedded ElasticMQ, in-process
 * burst off, worker JVMs of 1 slot) for several pool sizes: for each worker count, a fresh cluster,
 * every worker polling, a warm-up, then rounds of {@code --tasks} tasks submitted from one thread and all completed
 * ({@link QueueBench#throughput}). The claim checked is "launches more than 1,500 tasks per second
 * regardless of cluster size": {@code min_over_worker_counts_tasks_per_s} is the lowest median over
 * the worker counts. Baseline in the same run: the same executor with bundling off (one task per
 * queue message), on 2 workers, as {@link QueueBench} measures it.
 *
 * <p>Where the cores run out: the machine has 2 cores, shared by the client (which also hosts
 * ElasticMQ) and every worker JVM. With no-op tasks the client and the queue server are the
 * bottleneck, not the workers. The client wants one core and one worker JVM takes the other, so
 * the cores run out at 1 worker: from 2 workers on they share what is left with each other, more
 * worker JVMs add only polling and context switches, and the figure can at best stay flat. What
 * this mode shows on this machine is that a larger pool does not slow launching down, not that it
 * speeds it up.
 *
 * <p>Options: {@code --workers 1,2,4,8}, {@code --tasks N} a round (default 40,000), {@code --warmup N}
 * tasks on each fresh cluster (default 10,000), {@code --rounds R} (default 3), {@code --plot PATH}
 * (default {@code bench/results/plots/throughput-vs-workers.png}).
 */
public final class ThroughputBench {
  private static final double CLAIM_TASKS_PER_S = 1_500;

  private ThroughputBench() {}

  public static void main(String[] args) throws Exception {
    int[] workerCounts = {1, 2, 4, 8};
    int tasks = 40_000;
    int warmup = 10_000;
    int rounds = 3;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workers" -> workerCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path runDir = Files.createTempDirectory("shoal-throughput-bench");
    System.out.printf("throughput vs workers: %,d no-op tasks a round, %d rounds, workers %s x 1 slot, %d cores%n",
        tasks, rounds, Arrays.toString(workerCounts), cores);

    List<Spread> spreads = new ArrayList<>();
    for (int workers : workerCounts) {
      double[] perSecond = new double[rounds];
      LocalCluster cluster = QueueBench.cluster(runDir, workers, builder -> {});
      try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
        // Every worker polling first: JVMs still starting would take the cores from the round.
        Workers.awaitRunning(cluster, workers, Duration.ofMinutes(2));
        QueueBench.throughput(dfk, warmup);
        for (int round = 0; round < rounds; round++) {
          perSecond[round] = QueueBench.throughput(dfk, tasks);
          System.out.printf("%d workers, round %d: %,.0f tasks/s%n", workers, round + 1, perSecond[round]);
        }
      }
      spreads.add(Spread.of(perSecond));
    }
    double[] unbundled = new double[rounds];
    try (DataFlowKernel dfk = QueueBench.kernel(runDir, 2, builder -> builder.maxTasksPerMessage(1))) {
      QueueBench.throughput(dfk, 1_000);
      int unbundledTasks = Math.min(tasks, 5_000); // at ~1,000 tasks/s, 5 s a round
      for (int round = 0; round < rounds; round++) {
        unbundled[round] = QueueBench.throughput(dfk, unbundledTasks);
        System.out.printf("2 workers, bundling off, round %d: %,.0f tasks/s%n", round + 1, unbundled[round]);
      }
    }

    Spread baseline = Spread.of(unbundled);
    double lowest = spreads.stream().mapToDouble(Spread::median).min().orElseThrow();
    System.out.printf("On %d cores the client with ElasticMQ wants one, so the cores run out at %d worker JVM(s):"
        + " more workers cannot add throughput here, only keep it.%n", cores, Math.max(1, cores - 1));
    System.out.printf("cores: %d%n", cores);
    System.out.printf("cores_run_out_at_workers: %d%n", Math.max(1, cores - 1));
    baseline.print("baseline_unbundled_tasks_per_s", "%.0f");
    for (int i = 0; i < workerCounts.length; i++) {
      spreads.get(i).print("throughput_" + workerCounts[i] + "_workers_tasks_per_s", "%.0f");
    }
    System.out.printf("min_over_worker_counts_tasks_per_s: %.0f%n", lowest);
    System.out.printf("ratio_min_over_worker_counts_vs_unbundled: %.2f%n", lowest / baseline.median());
    System.out.printf("claim_over_1500_tasks_per_s_at_every_size: %s%n", lowest > CLAIM_TASKS_PER_S ? "met" : "missed");

    double[] x = Arrays.stream(workerCounts).asDoubleStream().toArray();
    double[] flat = new double[x.length];
    Arrays.fill(flat, baseline.median());
    double[] claim = new double[x.length];
    Arrays.fill(claim, CLAIM_TASKS_PER_S);
    Path file = Plot.lines(Plot.path(plot, "throughput-vs-workers"),
        "No-op tasks/s through the embedded queue (median, min-max of " + rounds + " rounds; " + cores + " cores)",
        "worker JVMs (1 slot each)", Plot.Scale.LINEAR, "tasks/s",
        List.of(Plot.Series.of("bundled (default)", x, spreads),
            Plot.Series.of("baseline: bundling off, 2 workers", x, flat),
            Plot.Series.of("claim: 1,500 tasks/s", x, claim)));
    System.out.printf("plot: %s%n", file);
  }
}
