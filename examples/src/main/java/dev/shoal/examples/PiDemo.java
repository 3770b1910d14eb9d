package dev.shoal.examples;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.RunStats;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Estimates pi from N independent sample tasks and one reduce task.
 *
 * <p>Options: {@code --tasks N} (default 100), {@code --samples S} per task (default 1,000,000).
 */
public final class PiDemo {
  private PiDemo() {}

  public static void main(String[] args) {
    int tasks = 100;
    long samples = 1_000_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --tasks N --samples S)");
      }
    }
    long started = System.nanoTime();
    try (DataFlowKernel dfk = DataFlowKernel.builder().executor(ThreadPoolTaskExecutor.create()).build()) {
      List<AppFuture<Long>> counts = new ArrayList<>(tasks);
      for (int seed = 0; seed < tasks; seed++) {
        counts.add(dfk.call(PiApps.SAMPLE, samples, (long) seed));
      }
      double pi = dfk.call(PiApps.ESTIMATE, Arg.all(counts), Arg.of(samples)).join();
      double seconds = (System.nanoTime() - started) / 1e9;
      RunStats stats = dfk.stats();
      System.out.printf("pi ~ %.6f (error %.2e) from %,d samples in %d tasks + 1 reduce, %.2f s on executor '%s'%n",
          pi, Math.abs(pi - Math.PI), samples * tasks, tasks, seconds, "threads");
      System.out.printf("tasks: %d submitted, %d succeeded, %d failed%n", stats.submitted(), stats.succeeded(),
          stats.failed());
    }
  }
}
