package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.examples.PiApps;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strong scaling of the pi example ({@link PiApps}): the same total of samples, {@code --tasks}
 * sample tasks of {@code --samples} each and one reduce, on 1, 2 and 4 worker JVMs of 1 slot (the
 * local default's queue path, in-process burst off, every worker polling before the first round,
 * one kernel per worker count). The wall time runs from the first call to the estimate's result;
 * speed-up is the 1-worker median over this count's median, efficiency the speed-up over the
 * workers. Each round uses fresh seeds, since the sample app memoizes and a repeated call would be
 * a cache hit. Baseline in the same run: the same program on {@link ThreadPoolTaskExecutor} with 1
 * thread (no queue, no other JVM), against which the 1-worker run shows what the queue path costs.
 *
 * <p>The machine has 2 cores: 4 workers cannot be faster than 2 (at best a speed-up of 2, an
 * efficiency of 0.5), and the client and ElasticMQ take some of the two cores too.
 *
 * <p>Options: {@code --workers 1,2,4}, {@code --tasks N} (default 100), {@code --samples S} per task
 * (default 20,000,000: 2e9 samples, about 8 s on one core here), {@code --rounds R} (default 3), {@code --plot PATH} (default
 * {@code bench/results/plots/pi-scaling.png}).
 */
public final class PiBench {
  private PiBench() {}

  public static void main(String[] args) throws Exception {
    int[] workerCounts = {1, 2, 4};
    int tasks = 100;
    long samples = 20_000_000;
    int rounds = 3;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--workers" -> workerCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Long.parseLong(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    Path runDir = Files.createTempDirectory("shoal-pi-bench");
    System.out.printf("pi scaling: %d tasks x %,d samples (%,d in all), workers %s x 1 slot, %d rounds, %d cores%n",
        tasks, samples, tasks * samples, Arrays.toString(workerCounts), rounds, cores);

    Spread baseline;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(1).build()).build()) {
      baseline = Spread.of(rounds(dfk, "1 thread", tasks, samples, rounds));
    }
    List<Spread> walls = new ArrayList<>();
    for (int workers : workerCounts) {
      LocalCluster cluster = QueueBench.cluster(runDir, workers, builder -> {});
      try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
        Workers.awaitRunning(cluster, workers, Duration.ofMinutes(2));
        walls.add(Spread.of(rounds(dfk, workers + " workers", tasks, samples, rounds)));
      }
    }

    int oneWorker = indexOf(workerCounts, 1);
    double reference = oneWorker >= 0 ? walls.get(oneWorker).median() : baseline.median();
    System.out.printf("cores: %d (at most a speed-up of %d, however many workers)%n", cores, cores);
    System.out.printf("speedup_reference: %s%n", oneWorker >= 0 ? "1 worker" : "1 thread (no 1-worker run)");
    baseline.print("baseline_threads_1_wall_s", "%.2f");
    double[] speedups = new double[workerCounts.length];
    Map<String, Double> speedupBars = new LinkedHashMap<>();
    Map<String, Double> efficiencyBars = new LinkedHashMap<>();
    Map<String, Double> idealBars = new LinkedHashMap<>();
    for (int i = 0; i < workerCounts.length; i++) {
      int workers = workerCounts[i];
      speedups[i] = reference / walls.get(i).median();
      walls.get(i).print("pi_" + workers + "_workers_wall_s", "%.2f");
      System.out.printf("pi_%d_workers_speedup: %.2f%n", workers, speedups[i]);
      System.out.printf("pi_%d_workers_efficiency: %.2f%n", workers, speedups[i] / workers);
      String category = workers + (workers == 1 ? " worker" : " workers");
      speedupBars.put(category, speedups[i]);
      efficiencyBars.put(category, speedups[i] / workers);
      idealBars.put(category, (double) Math.min(workers, cores));
    }
    if (oneWorker >= 0) {
      System.out.printf("ratio_1_worker_vs_1_thread_wall: %.2f%n", walls.get(oneWorker).median() / baseline.median());
    }
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    bars.put("speed-up vs " + (oneWorker >= 0 ? "1 worker" : "1 thread"), speedupBars);
    bars.put("efficiency (speed-up / workers)", efficiencyBars);
    bars.put("ideal speed-up on " + cores + " cores", idealBars);
    Path file = Plot.bars(Plot.path(plot, "pi-scaling"),
        "Pi, " + tasks + " tasks x " + samples + " samples: speed-up and efficiency (medians of " + rounds + " rounds)",
        "worker JVMs (1 slot each)", "speed-up / efficiency", bars);
    System.out.printf("plot: %s%n", file);
  }

  /** A warm-up (a tenth of the samples), then {@code rounds} timed runs; wall seconds of each. */
  private static double[] rounds(DataFlowKernel dfk, String name, int tasks, long samples, int rounds) {
    long seed = 0;
    estimate(dfk, tasks, Math.max(1, samples / 10), seed);
    seed += tasks;
    double[] seconds = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      long started = System.nanoTime();
      double pi = estimate(dfk, tasks, samples, seed);
      seconds[round] = (System.nanoTime() - started) / 1e9;
      seed += tasks;
      System.out.printf("%s, round %d: %.2f s, pi ~ %.6f%n", name, round + 1, seconds[round], pi);
    }
    return seconds;
  }

  /** PiDemo's program, with seeds from {@code firstSeed} on. */
  private static double estimate(DataFlowKernel dfk, int tasks, long samples, long firstSeed) {
    List<AppFuture<Long>> counts = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      counts.add(dfk.call(PiApps.SAMPLE, samples, firstSeed + i));
    }
    double pi = dfk.call(PiApps.ESTIMATE, Arg.all(counts), Arg.of(samples)).join();
    // About six standard deviations of the estimate: a wrong result, not bad luck.
    if (Math.abs(pi - Math.PI) > 10 / Math.sqrt((double) tasks * samples)) {
      throw new IllegalStateException("pi came out as " + pi);
    }
    return pi;
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
