package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.spi.WorkerInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * How evenly a burst of long tasks spreads over a pool: local worker JVMs on the embedded SQS
 * server, a burst of sleeping tasks submitted at once, its makespan (first call to last result)
 * against the ideal (every slot busy from the start: rounds of one task per slot), and the tasks
 * each worker ran (the tasks report their worker's pid) against an even share.
 *
 * <p>Options: {@code --tasks N} (default 16), {@code --millis M} per task (default 2,000),
 * {@code --workers W} (default 2), {@code --slots S} per worker (default 2), {@code --rounds R}
 * (default 3). Each figure is the median of its rounds, printed with the lowest and highest.
 */
public final class FairnessBench {
  private FairnessBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = 16;
    long millis = 2_000;
    int workers = 2;
    int slots = 2;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--millis" -> millis = Long.parseLong(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--slots" -> slots = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-fairness-bench");
    int pool = workers * slots;
    double ideal = Math.ceil(tasks / (double) pool) * millis / 1000.0;
    double share = tasks / (double) workers;
    System.out.printf("fairness bench: %d tasks of %d ms on %d workers x %d slots, %d rounds%n", tasks, millis,
        workers, slots, rounds);

    double[] makespan = new double[rounds];
    double[] most = new double[rounds];
    double[] fewest = new double[rounds];
    LocalCluster cluster = LocalCluster.builder()
        .workers(workers)
        .slotsPerWorker(slots)
        .logDir(runDir.resolve("workers"))
        .build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      awaitReady(cluster, workers);
      for (int round = 0; round < rounds; round++) {
        long started = System.nanoTime();
        List<AppFuture<Long>> burst = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
          burst.add(dfk.call(BenchApps.SLEEP_THEN_PID, millis));
        }
        Map<Long, Integer> perWorker = new TreeMap<>();
        for (AppFuture<Long> task : burst) {
          perWorker.merge(task.get(10, TimeUnit.MINUTES), 1, Integer::sum);
        }
        makespan[round] = (System.nanoTime() - started) / 1e9;
        Collection<Integer> counts = new ArrayList<>(perWorker.values());
        // A worker that ran nothing is not among the pids.
        for (int idle = perWorker.size(); idle < workers; idle++) {
          counts.add(0);
        }
        most[round] = counts.stream().mapToInt(Integer::intValue).max().orElse(0);
        fewest[round] = counts.stream().mapToInt(Integer::intValue).min().orElse(0);
        System.out.printf("round %d: makespan %.2f s, tasks per worker %s%n", round + 1, makespan[round], counts);
      }
    }
    System.out.printf("ideal_makespan_s: %.2f%n", ideal);
    System.out.printf("ideal_tasks_per_worker: %.1f%n", share);
    Spread spent = Spread.of(makespan);
    System.out.printf("ratio_makespan_vs_ideal: %.2f%n", spent.median() / ideal);
    spent.print("fairness_makespan_s", "%.2f");
    Spread.of(most).print("fairness_most_tasks_on_a_worker", "%.0f");
    Spread.of(fewest).print("fairness_fewest_tasks_on_a_worker", "%.0f");
  }

  /** Waits until every worker polls, so that a round measures the spread and not JVM start-up. */
  private static void awaitReady(LocalCluster cluster, int workers) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (cluster.workers().list().stream().filter(w -> w.state() == WorkerInstance.State.RUNNING).count() < workers) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the workers did not start within 2 minutes");
      }
      Thread.sleep(50);
    }
  }
}
