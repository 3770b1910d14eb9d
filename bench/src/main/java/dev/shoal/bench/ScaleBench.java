package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingDecision;
import dev.shoal.embedded.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Elasticity from an idle pool of 0 local workers: the time from a burst being published to the
 * autoscaler's scale-out decision, and to the first task finished on a newly started worker JVM
 * (an upper bound of "first task running": it includes the result's way back). The autoscaler's
 * tick is 5 s, Parsl's strategy period, so a decision faster than that comes from the client's
 * nudge. The baseline in the same run is the tick alone: the same burst with nudging off. The
 * in-process burst is off here, so that the first task is one a worker JVM ran ({@link BurstBench}
 * measures it on).
 *
 * <p>Options: {@code --rounds R} (default 3), {@code --burst N} tasks (default 50).
 */
public final class ScaleBench {
  private static final Duration TICK = Duration.ofSeconds(5);

  private ScaleBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int burst = 50;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--burst" -> burst = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-scale-bench");
    System.out.printf("scale bench: bursts of %d no-op tasks on an idle pool of 0..2 local workers, tick %s, %d rounds%n",
        burst, TICK, rounds);
    double[] decision = new double[rounds];
    double[] firstTask = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      double[] measured = burst(runDir, burst, true, false);
      decision[round] = measured[0];
      firstTask[round] = measured[1];
      System.out.printf("round %d: decision %.0f ms, first task %.0f ms%n", round + 1, measured[0], measured[1]);
    }
    double[] tickOnly = burst(runDir, burst, false, false);
    System.out.printf("without nudge: decision %.0f ms, first task %.0f ms%n", tickOnly[0], tickOnly[1]);
    System.out.printf("baseline_tick_only_decision_ms: %.0f%n", tickOnly[0]);
    Spread decided = Spread.of(decision);
    System.out.printf("ratio_decision_vs_tick_only: %.3f%n", decided.median() / tickOnly[0]);
    decided.print("scale_decision_ms", "%.0f");
    Spread.of(firstTask).print("scale_first_task_ms", "%.0f");
  }

  /**
   * Returns {decision ms, first task ms} after a burst on an idle pool, with the in-process burst
   * ({@link LocalCluster.Builder#inProcessBurst(boolean)}) on or off.
   */
  static double[] burst(Path runDir, int tasks, boolean nudge, boolean inProcessBurst) throws Exception {
    AtomicLong decidedAt = new AtomicLong();
    LocalAutoscaler.Listener listener = new LocalAutoscaler.Listener() {
      @Override
      public void decided(ScalingDecision decision) {
        if (decision.launch() > 0) {
          decidedAt.compareAndSet(0, System.nanoTime());
        }
      }
    };
    LocalCluster executor = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(2)
        .slotsPerWorker(1)
        .logDir(runDir.resolve("workers"))
        .taskQueue("scale-" + System.nanoTime())
        .configureScaling(builder -> builder.tick(TICK).listener(listener))
        .nudge(nudge)
        .inProcessBurst(inProcessBurst)
        .build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build()) {
      // Let the first tick (at start) pass, so the pool is idle at 0 when the burst comes.
      Thread.sleep(1_000);
      long published = System.nanoTime();
      List<AppFuture<Long>> futures = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        futures.add(dfk.call(BenchApps.NOOP, (long) i));
      }
      CompletableFuture.anyOf(futures.toArray(CompletableFuture[]::new)).join();
      long first = System.nanoTime();
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      return new double[] {(decidedAt.get() - published) / 1e6, (first - published) / 1e6};
    }
  }
}
