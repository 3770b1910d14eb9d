package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Whether launching stays fast deep into a long run: {@code --tasks} no-op tasks (default 1,000,000)
 * through the local default's queue path (embedded ElasticMQ, 2 worker JVMs of 1 slot, in-process
 * burst off), and the throughput of each window of {@code --window} completions (default 50,000),
 * from the first to the last: window k's rate is its tasks over the time from the (k-1)-th window's
 * last completion (the submission's start for the first) to its own last. The check: no window below
 * 80 % of the median window ({@code sustained_min_window_ratio}, the slowest window over its round's
 * median; {@code sustained_windows_below_80pct}, over all rounds, of {@code sustained_windows}).
 * A partial last window (tasks not a multiple of the window) is not counted.
 *
 * <p>Submission is what a user does: every task called from one loop as fast as the kernel takes
 * them, none held back. The mode keeps no futures (it counts completions in a callback on each), so
 * the heap measured is the kernel's, the executor's and ElasticMQ's (which lives in this JVM) with
 * the whole backlog in flight, not the bench's. The client's used heap is sampled every 250 ms over
 * the whole run ({@code sustained_heap_used_max_mib}).
 *
 * <p>One kernel serves every round (cluster start-up is not what is measured, and a fresh one
 * would cost a worker JVM start a round); each round first runs a short baseline of 40,000 tasks
 * as {@link QueueBench} measures throughput, and the windows' median is given against it.
 *
 * <p>Options: {@code --tasks N}, {@code --window N}, {@code --rounds R} (default 3), {@code --plot PATH}
 * (default {@code bench/results/plots/sustained.png}; the heap goes beside it, {@code sustained-heap.png}).
 */
public final class SustainedBench {
  private static final int BASELINE_TASKS = 40_000;

  private SustainedBench() {}

  /**
   * Throughput of consecutive windows of a long run.
   *
   * @param tasksPerSecond one figure per full window, in completion order
   */
  record Windows(int window, double[] tasksPerSecond) {
    /**
     * From the times a run crossed each window boundary: {@code boundaries[0]} the start,
     * {@code boundaries[k]} the nanoTime of the {@code k * window}-th completion.
     */
    static Windows of(long[] boundaries, int window) {
      double[] rates = new double[boundaries.length - 1];
      for (int k = 1; k < boundaries.length; k++) {
        rates[k - 1] = window / ((boundaries[k] - boundaries[k - 1]) / 1e9);
      }
      return new Windows(window, rates);
    }

    double median() {
      return Spread.of(tasksPerSecond).median();
    }

    /** The slowest window over the median one. */
    double minRatio() {
      return Spread.of(tasksPerSecond).min() / median();
    }

    /** How many windows ran below {@code fraction} of the median window. */
    /** The windows, numbered from 1, that ran below {@code fraction} of the median window. */
    List<Integer> slowerThan(double fraction) {
      double limit = fraction * median();
      return IntStream.range(0, tasksPerSecond.length).filter(k -> tasksPerSecond[k] < limit).mapToObj(k -> k + 1)
          .toList();
    }

    int below(double fraction) {
      double limit = fraction * median();
      return (int) Arrays.stream(tasksPerSecond).filter(rate -> rate < limit).count();
    }
  }

  public static void main(String[] args) throws Exception {
    int tasks = 1_000_000;
    int window = 50_000;
    int rounds = 3;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--window" -> window = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (tasks < window) {
      throw new IllegalArgumentException("--tasks must be at least one --window");
    }
    Path runDir = Files.createTempDirectory("shoal-sustained-bench");
    System.out.printf("sustained: %,d no-op tasks a round in windows of %,d, 2 workers x 1 slot, %d rounds, one kernel%n",
        tasks, window, rounds);

    List<Windows> results = new ArrayList<>();
    double[] baselines = new double[rounds];
    List<HeapSampler.Sample> heap;
    LocalCluster cluster = QueueBench.cluster(runDir, 2, builder -> {});
    try (HeapSampler sampler = new HeapSampler(250);
         DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      Workers.awaitRunning(cluster, 2, Duration.ofMinutes(2));
      QueueBench.throughput(dfk, 10_000); // warm-up
      for (int round = 0; round < rounds; round++) {
        baselines[round] = QueueBench.throughput(dfk, BASELINE_TASKS);
        Windows windows = run(dfk, tasks, window);
        results.add(windows);
        System.out.printf("round %d: baseline %,.0f tasks/s; windows median %,.0f, min %,.0f, max %,.0f tasks/s"
                + " (%d windows, slowest %.2f of the median; below 80 %%: %s)%n", round + 1, baselines[round],
            windows.median(), Spread.of(windows.tasksPerSecond()).min(), Spread.of(windows.tasksPerSecond()).max(),
            windows.tasksPerSecond().length, windows.minRatio(), windows.slowerThan(0.8));
      }
      heap = sampler.samples();
    }

    Spread baseline = Spread.of(baselines);
    Spread median = Spread.of(results.stream().mapToDouble(Windows::median).toArray());
    Spread minRatio = Spread.of(results.stream().mapToDouble(Windows::minRatio).toArray());
    Spread below = Spread.of(results.stream().mapToDouble(w -> w.below(0.8)).toArray());
    baseline.print("baseline_40k_tasks_per_s", "%.0f");
    median.print("sustained_median_window_tasks_per_s", "%.0f");
    System.out.printf("ratio_sustained_vs_40k: %.2f%n", median.median() / baseline.median());
    minRatio.print("sustained_min_window_ratio", "%.2f");
    System.out.printf("sustained_windows: %d%n", results.stream().mapToInt(w -> w.tasksPerSecond().length).sum());
    System.out.printf("sustained_windows_below_80pct: %d%n", results.stream().mapToInt(w -> w.below(0.8)).sum());
    below.print("sustained_windows_below_80pct_per_round", "%.0f");
    System.out.printf("sustained_heap_used_max_mib: %.0f%n",
        heap.stream().mapToDouble(HeapSampler.Sample::usedMib).max().orElse(0));
    System.out.printf("sustained_heap_after_gc_max_mib: %.0f%n",
        heap.stream().mapToDouble(HeapSampler.Sample::afterGcMib).max().orElse(0));

    List<Plot.Series> lines = new ArrayList<>();
    for (int round = 0; round < results.size(); round++) {
      double[] rates = results.get(round).tasksPerSecond();
      double[] x = new double[rates.length];
      for (int k = 0; k < rates.length; k++) {
        x[k] = (k + 1) * (double) window;
      }
      lines.add(Plot.Series.of("round " + (round + 1), x, rates));
    }
    double[] ends = {window, (double) (tasks / window) * window};
    double limit = 0.8 * median.median();
    lines.add(Plot.Series.of("80 % of the median window", ends, new double[] {limit, limit}));
    Path file = Plot.lines(Plot.path(plot, "sustained"),
        "No-op tasks/s per window of " + window + " completions, 2 workers", "tasks completed", Plot.Scale.LINEAR, "tasks/s",
        lines);
    double[] seconds = heap.stream().mapToDouble(HeapSampler.Sample::seconds).toArray();
    Path heapFile = Plot.lines(Plot.beside(file, "heap"), "Client heap used over the run (all rounds, one kernel)",
        "seconds", Plot.Scale.LINEAR, "MiB", List.of(
            Plot.Series.of("heap used (garbage included)", seconds,
                heap.stream().mapToDouble(HeapSampler.Sample::usedMib).toArray()),
            Plot.Series.of("just after the latest GC (young ones too)", seconds,
                heap.stream().mapToDouble(HeapSampler.Sample::afterGcMib).toArray())));
    System.out.printf("plot: %s%nplot: %s%n", file, heapFile);
  }

  /** One round: every task called from one loop, the time of each window's last completion recorded. */
  private static Windows run(DataFlowKernel dfk, int tasks, int window) throws InterruptedException {
    int windows = tasks / window;
    AtomicLongArray boundaries = new AtomicLongArray(windows + 1);
    AtomicInteger completed = new AtomicInteger();
    LongAdder wrong = new LongAdder();
    boundaries.set(0, System.nanoTime());
    for (int i = 0; i < tasks; i++) {
      long expected = i;
      AppFuture<Long> future = dfk.call(BenchApps.NOOP, expected);
      future.whenComplete((result, error) -> {
        if (error != null || result != expected) {
          wrong.increment();
        }
        int n = completed.incrementAndGet();
        if (n % window == 0 && n / window <= windows) {
          boundaries.set(n / window, System.nanoTime());
        }
      });
    }
    dfk.waitForCurrentTasks();
    // The callbacks run after the futures complete, on the kernel's completion threads.
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (completed.get() < tasks) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + completed.get() + " of " + tasks + " completions seen");
      }
      Thread.sleep(1); // not a spin: the two cores run the tasks
    }
    if (wrong.sum() > 0) {
      throw new IllegalStateException(wrong.sum() + " tasks failed or gave a wrong result");
    }
    long[] times = new long[windows + 1];
    for (int k = 0; k <= windows; k++) {
      times[k] = boundaries.get(k);
    }
    return Windows.of(times, window);
  }
}
