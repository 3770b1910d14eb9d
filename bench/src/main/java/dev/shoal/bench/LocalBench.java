package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Overhead of the local thread executor: independent no-op tasks per second, and the latency
 * each task adds to a chain of dependent tasks. The baseline is the bare JDK doing the same:
 * {@code CompletableFuture} on a fixed thread pool of the same size, in the same JVM and run.
 *
 * <p>Options: {@code --tasks N} (default 1,000,000), {@code --chain M} (default 100,000),
 * {@code --threads T} (default: cores), {@code --rounds R} measured rounds after one warm-up (default 3).
 */
public final class LocalBench {
  private LocalBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = 1_000_000;
    int chain = 100_000;
    int threads = Runtime.getRuntime().availableProcessors();
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--chain" -> chain = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-bench");
    System.out.printf("local bench: %,d independent no-op tasks, a chain of %,d, %d threads, %d rounds, max heap %d MiB%n",
        tasks, chain, threads, rounds, Runtime.getRuntime().maxMemory() >> 20);

    // Warm-up round, not reported.
    shoalIndependent(runDir, threads, Math.min(tasks, 200_000));
    shoalChain(runDir, threads, Math.min(chain, 20_000));
    jdkIndependent(threads, Math.min(tasks, 200_000));
    jdkChain(threads, Math.min(chain, 20_000));

    double[] shoal = new double[rounds];
    double[] jdk = new double[rounds];
    double[] shoalChain = new double[rounds];
    double[] jdkChain = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      shoal[round] = shoalIndependent(runDir, threads, tasks);
      jdk[round] = jdkIndependent(threads, tasks);
      shoalChain[round] = shoalChain(runDir, threads, chain);
      jdkChain[round] = jdkChain(threads, chain);
      System.out.printf("round %d: shoal %,.0f tasks/s, jdk %,.0f tasks/s; chain: shoal %.2f us/task, jdk %.2f us/task%n",
          round + 1, shoal[round], jdk[round], shoalChain[round], jdkChain[round]);
    }
    Spread shoalTasks = Spread.of(shoal);
    Spread jdkTasks = Spread.of(jdk);
    Spread shoalChainTime = Spread.of(shoalChain);
    Spread jdkChainTime = Spread.of(jdkChain);
    jdkTasks.print("baseline_jdk_tasks_per_s", "%.0f");
    jdkChainTime.print("baseline_jdk_chain_us_per_task", "%.2f");
    System.out.printf("ratio_tasks_per_s_vs_jdk: %.2f%n", shoalTasks.median() / jdkTasks.median());
    System.out.printf("ratio_chain_latency_vs_jdk: %.2f%n", shoalChainTime.median() / jdkChainTime.median());
    shoalTasks.print("local_tasks_per_s", "%.0f");
    shoalChainTime.print("local_chain_us_per_task", "%.2f");
  }

  private static DataFlowKernel kernel(Path runDir, int threads) {
    return DataFlowKernel.builder()
        .runDir(runDir)
        .executor(ThreadPoolTaskExecutor.builder().threads(threads).build())
        .build();
  }

  /** Submits every task from one thread, keeping every future as a user would, then waits for all. */
  static double shoalIndependent(Path runDir, int threads, int tasks) throws Exception {
    AppFuture<?>[] futures = new AppFuture<?>[tasks];
    long started;
    long elapsed;
    try (DataFlowKernel dfk = kernel(runDir, threads)) {
      started = System.nanoTime();
      for (int i = 0; i < tasks; i++) {
        futures[i] = dfk.call(BenchApps.NOOP, (long) i);
      }
      dfk.waitForCurrentTasks();
      elapsed = System.nanoTime() - started;
    }
    check(((Long) futures[tasks - 1].join()) == tasks - 1, "wrong result");
    return tasks / (elapsed / 1e9);
  }

  /**
   * Builds the whole chain behind a gate task that is still sleeping, then times from the gate's
   * completion to the end of the chain: pure propagation, without the cost of submitting.
   */
  static double shoalChain(Path runDir, int threads, int length) throws Exception {
    try (DataFlowKernel dfk = kernel(runDir, threads)) {
      AppFuture<Long> gate = dfk.call(BenchApps.SLEEP, 500L);
      long[] opened = new long[1];
      CompletableFuture<Void> gateOpened = gate.thenRun(() -> opened[0] = System.nanoTime());
      AppFuture<Long> last = gate;
      for (int i = 0; i < length; i++) {
        last = dfk.call(BenchApps.INC, last);
      }
      check(!gate.isDone(), "the chain took longer to build than the gate slept; raise the gate's sleep");
      long result = last.join();
      long finished = System.nanoTime();
      gateOpened.join();
      check(result == length, "wrong chain result " + result);
      return (finished - opened[0]) / 1e3 / length;
    }
  }

  static double jdkIndependent(int threads, int tasks) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      @SuppressWarnings("unchecked")
      CompletableFuture<Long>[] futures = new CompletableFuture[tasks];
      long started = System.nanoTime();
      for (int i = 0; i < tasks; i++) {
        long x = i;
        futures[i] = CompletableFuture.supplyAsync(() -> x, pool);
      }
      CompletableFuture.allOf(futures).join();
      long elapsed = System.nanoTime() - started;
      return tasks / (elapsed / 1e9);
    } finally {
      pool.shutdown();
    }
  }

  static double jdkChain(int threads, int length) {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CompletableFuture<Long> gate = new CompletableFuture<>();
      CompletableFuture<Long> last = gate;
      for (int i = 0; i < length; i++) {
        last = last.thenApplyAsync(x -> x + 1, pool);
      }
      long started = System.nanoTime();
      gate.complete(0L);
      long result = last.join();
      long elapsed = System.nanoTime() - started;
      check(result == length, "wrong chain result " + result);
      return elapsed / 1e3 / length;
    } finally {
      pool.shutdown();
    }
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
