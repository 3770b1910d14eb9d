package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingDecision;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.spi.WorkerInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Elasticity from an idle pool of 0 local workers: the time from a burst being published to the
 * autoscaler's scale-out decision, to the first task finished on a newly started worker JVM
 * (an upper bound of "first task running": it includes the result's way back), and to the pool
 * being full ({@code scale_pool_full_ms}: every one of the pool's most workers polling the queue,
 * as {@link dev.shoal.embedded.LocalProcessProvider#list()} reports them {@code RUNNING}, sampled
 * every 10 ms). The autoscaler's tick is 5 s, Parsl's strategy period, so a decision faster than
 * that comes from the client's nudge. The baseline in the same run is the tick alone: the same
 * burst with nudging off. The in-process burst is off here, so that the first task is one a worker
 * JVM ran ({@link BurstBench} measures it on). The plot shows the workers launched and polling
 * over time in the first round.
 *
 * <p>Options: {@code --rounds R} (default 3), {@code --burst N} tasks (default 50, which asks for
 * more workers than the pool's most), {@code --max-workers M} (default 2), {@code --plot PATH}
 * (default {@code bench/results/plots/scale.png}).
 */
public final class ScaleBench {
  private static final Duration TICK = Duration.ofSeconds(5);

  private ScaleBench() {}

  /**
   * What one burst measured, in ms from publishing it: the scale-out decision, the first task's
   * result, and the pool full (NaN when not awaited); {@code trace} is {ms, workers launched,
   * workers polling} every 10 ms until then.
   */
  record Burst(double decisionMs, double firstTaskMs, double fullMs, List<double[]> trace) {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int burst = 50;
    int maxWorkers = 2;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--burst" -> burst = Integer.parseInt(args[++i]);
        case "--max-workers" -> maxWorkers = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-scale-bench");
    System.out.printf("scale bench: bursts of %d no-op tasks on an idle pool of 0..%d local workers, tick %s, %d rounds%n",
        burst, maxWorkers, TICK, rounds);
    double[] decision = new double[rounds];
    double[] firstTask = new double[rounds];
    double[] full = new double[rounds];
    List<double[]> trace = List.of();
    for (int round = 0; round < rounds; round++) {
      Burst measured = burst(runDir, burst, maxWorkers, true, false, true);
      decision[round] = measured.decisionMs();
      firstTask[round] = measured.firstTaskMs();
      full[round] = measured.fullMs();
      if (round == 0) {
        trace = measured.trace();
      }
      System.out.printf("round %d: decision %.0f ms, first task %.0f ms, pool of %d full %.0f ms%n", round + 1,
          measured.decisionMs(), measured.firstTaskMs(), maxWorkers, measured.fullMs());
    }
    Burst tickOnly = burst(runDir, burst, maxWorkers, false, false, false);
    System.out.printf("without nudge: decision %.0f ms, first task %.0f ms%n", tickOnly.decisionMs(),
        tickOnly.firstTaskMs());
    System.out.printf("baseline_tick_only_decision_ms: %.0f%n", tickOnly.decisionMs());
    Spread decided = Spread.of(decision);
    System.out.printf("ratio_decision_vs_tick_only: %.3f%n", decided.median() / tickOnly.decisionMs());
    decided.print("scale_decision_ms", "%.0f");
    Spread.of(firstTask).print("scale_first_task_ms", "%.0f");
    Spread.of(full).print("scale_pool_full_ms", "%.0f");

    double[] ms = trace.stream().mapToDouble(point -> point[0]).toArray();
    Path file = Plot.lines(Plot.path(plot, "scale"),
        "Workers after a burst of " + burst + " tasks on an idle pool of 0.." + maxWorkers + " (round 1)",
        "ms since the burst was published", Plot.Scale.LINEAR, "worker JVMs",
        List.of(Plot.Series.of("launched", ms, trace.stream().mapToDouble(point -> point[1]).toArray()),
            Plot.Series.of("polling the queue", ms, trace.stream().mapToDouble(point -> point[2]).toArray())));
    System.out.printf("plot: %s%n", file);
  }

  /**
   * One burst on an idle pool of 0..{@code maxWorkers}, with the in-process burst
   * ({@link LocalCluster.Builder#inProcessBurst(boolean)}) on or off; with {@code awaitFull}, the
   * kernel closes only once every worker polls (or after a minute, then NaN).
   */
  static Burst burst(Path runDir, int tasks, int maxWorkers, boolean nudge, boolean inProcessBurst,
      boolean awaitFull) throws Exception {
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
        .maxWorkers(maxWorkers)
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
      List<double[]> trace = new ArrayList<>();
      Thread sampler = awaitFull ? sampler(executor, maxWorkers, published, trace) : null;
      List<AppFuture<Long>> futures = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        futures.add(dfk.call(BenchApps.NOOP, (long) i));
      }
      CompletableFuture.anyOf(futures.toArray(CompletableFuture[]::new)).join();
      long first = System.nanoTime();
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
      double fullMs = Double.NaN;
      if (sampler != null) {
        sampler.join(60_000);
        sampler.interrupt();
        sampler.join();
        synchronized (trace) {
          double[] last = trace.isEmpty() ? null : trace.get(trace.size() - 1);
          fullMs = last != null && last[2] >= maxWorkers ? last[0] : Double.NaN;
        }
      }
      return new Burst((decidedAt.get() - published) / 1e6, (first - published) / 1e6, fullMs, List.copyOf(trace));
    }
  }

  /** Records {ms since published, launched, polling} every 10 ms until {@code max} workers poll. */
  private static Thread sampler(LocalCluster cluster, int max, long published, List<double[]> trace) {
    Thread thread = new Thread(() -> {
      try {
        while (true) {
          List<WorkerInstance> workers = cluster.workers().list();
          long polling = workers.stream().filter(w -> w.state() == WorkerInstance.State.RUNNING).count();
          synchronized (trace) {
            trace.add(new double[] {(System.nanoTime() - published) / 1e6, workers.size(), polling});
          }
          if (polling >= max) {
            return;
          }
          Thread.sleep(10);
        }
      } catch (InterruptedException e) {
        // gave up waiting
      }
    }, "scale-sampler");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
