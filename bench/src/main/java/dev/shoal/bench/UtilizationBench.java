package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * How busy the workers' slots are kept with CPU-bound tasks ({@link BenchApps#SPIN}, a busy spin of
 * 10 ms, 100 ms or 1 s): the busy share of the slots is the sum of the tasks' run times over
 * (slots x the wall time from the first task's start to the last one's end). Run times come from
 * the workers themselves: the {@code STARTED} and {@code ENDED} events a {@link RunListener} gets,
 * which carry the worker's clock (the same machine's clock here). A worker stamps them from a slot
 * taking the task to its result encoded, so its own per-task work (decoding the arguments, the
 * task's folder, encoding the result) counts as busy; what is missing from 100 % is the time a slot
 * sat idle between tasks (a result going back, the next task coming), and at the edges the slots
 * that started late or finished early. Target: at least 98 % at 100 ms. Beside it, the stricter
 * {@code app_share_<len>_pct}: only the apps' own spinning (tasks x length, the spin ends by the
 * clock) over the same slots x wall time, so the worker's per-task work counts as idle there.
 *
 * <p>Queue path: the local default (embedded ElasticMQ, in-process burst off) with 2 worker JVMs of
 * 1 slot, both polling before the first round; one kernel for every length and round. Baseline in
 * the same run: the same tasks on {@link ThreadPoolTaskExecutor} with 2 threads. On this 2-core
 * machine 2 spinning slots take both cores; a spin ends by the clock, so a task preempted by the
 * client's own work still lasts its length, and the client's work shows as the gaps it causes.
 *
 * <p>Options: {@code --lengths 10,100,1000} (ms), {@code --seconds S} of work per slot a round (default
 * 10: a round lasts at least that), {@code --rounds R} (default 3), {@code --plot PATH} (default
 * {@code bench/results/plots/utilization.png}).
 */
public final class UtilizationBench {
  private static final int SLOTS = 2;

  private UtilizationBench() {}

  /** When one task ran, by the clock of whatever ran it, and where (a worker id or a thread's name). */
  record Span(String worker, Instant started, Instant ended) {}

  /**
   * The busy share of {@code slots} over a set of task spans.
   *
   * @param busySeconds the sum of the spans
   * @param wallSeconds from the earliest start to the latest end
   */
  record Utilization(double busySeconds, double wallSeconds, int slots) {
    static Utilization of(Collection<Span> spans, int slots) {
      if (spans.isEmpty()) {
        throw new IllegalArgumentException("no tasks");
      }
      long busy = 0;
      Instant first = null;
      Instant last = null;
      for (Span span : spans) {
        busy += Duration.between(span.started(), span.ended()).toNanos();
        first = first == null || span.started().isBefore(first) ? span.started() : first;
        last = last == null || span.ended().isAfter(last) ? span.ended() : last;
      }
      return new Utilization(busy / 1e9, Duration.between(first, last).toNanos() / 1e9, slots);
    }

    double percent() {
      return share(busySeconds);
    }

    /** What share of the slots' time {@code seconds} of work fill, in %. */
    double share(double seconds) {
      return 100 * seconds / (slots * wallSeconds);
    }
  }

  /** Keeps each task's STARTED and ENDED times as the run's events report them. */
  static final class Spans implements RunListener {
    private final Map<Long, TaskEvent> started = new ConcurrentHashMap<>();
    private final Map<Long, Instant> ended = new ConcurrentHashMap<>();

    @Override
    public void task(TaskEvent event) {
      switch (event.transition()) {
        case STARTED -> started.put(event.taskId(), event);
        case ENDED -> ended.put(event.taskId(), event.at());
        default -> { }
      }
    }

    /** The spans of these tasks, which must all have finished; forgets them. */
    List<Span> take(List<? extends AppFuture<?>> tasks) {
      List<Span> spans = new ArrayList<>(tasks.size());
      for (AppFuture<?> task : tasks) {
        TaskEvent start = started.remove(task.taskId());
        Instant end = ended.remove(task.taskId());
        if (start == null || end == null) {
          throw new IllegalStateException("task " + task.taskId() + " reported no start or end");
        }
        spans.add(new Span(start.worker(), start.at(), end));
      }
      return spans;
    }
  }

  public static void main(String[] args) throws Exception {
    long[] lengths = {10, 100, 1_000};
    double seconds = 10;
    int rounds = 3;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--lengths" -> lengths = Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-utilization-bench");
    System.out.printf("utilization: spin tasks of %s ms, %.0f s of work per slot a round, %d slots, %d rounds%n",
        Arrays.toString(lengths), seconds, SLOTS, rounds);

    Spans queueSpans = new Spans();
    Shares queue;
    LocalCluster cluster = QueueBench.cluster(runDir, SLOTS, builder -> {});
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).listener(queueSpans).executor(cluster).build()) {
      // Both slots polling before any round: a worker JVM starting late would count as idle time.
      Workers.awaitRunning(cluster, SLOTS, Duration.ofMinutes(2));
      queue = measure("queue", dfk, queueSpans, lengths, seconds, rounds);
    }
    Spans threadSpans = new Spans();
    Shares threads;
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).listener(threadSpans)
        .executor(ThreadPoolTaskExecutor.builder().threads(SLOTS).build()).build()) {
      threads = measure("threads", dfk, threadSpans, lengths, seconds, rounds);
    }

    for (int i = 0; i < lengths.length; i++) {
      String label = label(lengths[i]);
      threads.busy().get(i).print("baseline_threads_utilization_" + label + "_pct", "%.2f");
      queue.busy().get(i).print("utilization_" + label + "_pct", "%.2f");
      queue.app().get(i).print("app_share_" + label + "_pct", "%.2f");
      System.out.printf("ratio_utilization_%s_vs_threads: %.3f%n", label,
          queue.busy().get(i).median() / threads.busy().get(i).median());
    }
    double[] x = Arrays.stream(lengths).asDoubleStream().toArray();
    double[] target = new double[x.length];
    Arrays.fill(target, 98);
    Path file = Plot.lines(Plot.path(plot, "utilization"),
        "Busy share of " + SLOTS + " slots with CPU-bound tasks (median, min-max of " + rounds + " rounds)",
        "task length (ms)", Plot.Scale.LOG_X, "busy share of slots (%)",
        List.of(Plot.Series.of("queue: 2 worker JVMs x 1 slot", x, queue.busy()),
            Plot.Series.of("queue, the apps' own spinning only", x, queue.app()),
            Plot.Series.of("baseline: 2 threads", x, threads.busy()),
            Plot.Series.of("target 98 %", x, target)));
    System.out.printf("plot: %s%n", file);
  }

  /** Per length, in the order of {@code lengths}: the busy share's spread and the apps' own share's. */
  private record Shares(List<Spread> busy, List<Spread> app) {}

  private static Shares measure(String name, DataFlowKernel dfk, Spans spans, long[] lengths,
      double seconds, int rounds) throws Exception {
    run(dfk, spans, 10, 20 * SLOTS); // warm-up
    List<Spread> spreads = new ArrayList<>();
    List<Spread> appSpreads = new ArrayList<>();
    for (long length : lengths) {
      int tasks = (int) Math.max(2 * SLOTS, Math.ceil(seconds * 1_000 * SLOTS / length));
      double[] percent = new double[rounds];
      double[] app = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        Round measured = run(dfk, spans, length, tasks);
        Utilization busy = measured.utilization();
        percent[round] = busy.percent();
        app[round] = busy.share(tasks * length / 1e3);
        System.out.printf("%s, %d tasks of %d ms, round %d: %.2f %% busy, %.2f %% in the apps (%.1f s busy over"
            + " %.1f s x %d slots; tasks per worker %s)%n", name, tasks, length, round + 1, percent[round],
            app[round], busy.busySeconds(), busy.wallSeconds(), SLOTS, measured.tasksPerWorker());
      }
      spreads.add(Spread.of(percent));
      appSpreads.add(Spread.of(app));
    }
    return new Shares(spreads, appSpreads);
  }

  /** One round's busy share, and how many of its tasks each worker ran (an uneven split shows as idle slots). */
  private record Round(Utilization utilization, Collection<Long> tasksPerWorker) {}

  private static Round run(DataFlowKernel dfk, Spans spans, long length, int tasks) {
    List<AppFuture<Long>> futures = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      futures.add(dfk.call(BenchApps.SPIN, length));
    }
    futures.forEach(AppFuture::join);
    List<Span> taken = spans.take(futures);
    Map<String, Long> perWorker = new TreeMap<>(
        taken.stream().collect(Collectors.groupingBy(span -> String.valueOf(span.worker()), Collectors.counting())));
    return new Round(Utilization.of(taken, SLOTS), perWorker.values());
  }

  /** 10 ms as {@code 10ms}, 1,000 ms as {@code 1s}. */
  static String label(long millis) {
    return millis % 1_000 == 0 ? millis / 1_000 + "s" : millis + "ms";
  }
}
