package dev.shoal.bench.chaos;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.RunStats;
import dev.shoal.bench.BenchApps;
import dev.shoal.embedded.LocalCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's program in a JVM of its own, to be killed: runs memoized tasks on the local default with
 * a checkpoint, printing {@code done N} as results come in and, at the end, {@code right N} (results
 * with the right answer) and {@code reused N} (taken from the checkpoint).
 *
 * <p>Arguments: run folder, checkpoint file, number of tasks, milliseconds per task.
 */
public final class CheckpointedClient {
  private CheckpointedClient() {}

  public static void main(String[] args) throws Exception {
    Path runDir = Path.of(args[0]);
    Path checkpoint = Path.of(args[1]);
    int tasks = Integer.parseInt(args[2]);
    long millis = Long.parseLong(args[3]);
    LocalCluster cluster = LocalCluster.builder().workers(2).slotsPerWorker(2).logDir(runDir.resolve("workers"))
        .lease(java.time.Duration.ofSeconds(2)).build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).checkpoint(checkpoint).executor(cluster)
        .build()) {
      List<AppFuture<Long>> futures = new ArrayList<>();
      java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
      for (long i = 0; i < tasks; i++) {
        AppFuture<Long> future = dfk.call(BenchApps.MEMO_WORK, i, millis);
        future.thenRun(() -> System.out.println("done " + done.incrementAndGet()));
        futures.add(future);
      }
      int right = 0;
      for (int i = 0; i < tasks; i++) {
        if (futures.get(i).join() == 2L * i) {
          right++;
        }
      }
      dfk.waitForCurrentTasks();
      RunStats stats = dfk.stats();
      System.out.println("right " + right);
      System.out.println("reused " + stats.checkpointHits());
    }
  }
}
