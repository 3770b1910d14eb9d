package dev.shoal.bench;

import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.spi.TaskExecutor;
import dev.shoal.taskdb.TaskDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What the task database costs a run: no-op tasks per second with and without it, on the local
 * default (the embedded queue and two worker JVMs, as {@code bench/run.sh queue}) and on threads
 * (as {@code bench/run.sh local}), in alternating rounds of the same run so that both see the same
 * machine. Also how long closing the run waits for the writer to catch up, and events dropped.
 *
 * <p>Options: {@code --tasks N} on the queue (default 40,000), {@code --thread-tasks M} (default
 * 200,000), {@code --rounds R} (default 3).
 */
public final class TaskDbBench {
  private TaskDbBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = 40_000;
    int threadTasks = 200_000;
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        case "--thread-tasks" -> threadTasks = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("shoal-taskdb-bench");
    System.out.printf("task database bench: %,d no-op tasks on the queue, %,d on threads, %d rounds%n",
        tasks, threadTasks, rounds);
    double[] queueOff = new double[rounds];
    double[] queueOn = new double[rounds];
    double[] threadsOff = new double[rounds];
    double[] threadsOn = new double[rounds];
    double[] closeMillis = new double[rounds];
    long dropped = 0;
    Supplier<TaskExecutor> cluster = () -> LocalCluster.builder().workers(2).slotsPerWorker(1).inProcessBurst(false)
        .logDir(dir.resolve("workers")).taskQueue("taskdb-bench-" + System.nanoTime()).build();
    Supplier<TaskExecutor> threads = () -> ThreadPoolTaskExecutor.builder()
        .threads(Runtime.getRuntime().availableProcessors()).build();
    for (int round = 0; round < rounds; round++) {
      queueOff[round] = run(dir, cluster, null, tasks);
      TaskDatabase db = TaskDatabase.open(dir.resolve("queue-" + round + ".db"));
      long[] close = new long[1];
      queueOn[round] = run(dir, cluster, db, tasks, close);
      closeMillis[round] = close[0] / 1e6;
      dropped += db.dropped();
      threadsOff[round] = run(dir, threads, null, threadTasks);
      TaskDatabase threadDb = TaskDatabase.open(dir.resolve("threads-" + round + ".db"));
      threadsOn[round] = run(dir, threads, threadDb, threadTasks);
      dropped += threadDb.dropped();
      System.out.printf("round %d: queue %,.0f tasks/s, with the database %,.0f (close waited %.0f ms); "
              + "threads %,.0f, with the database %,.0f%n", round + 1, queueOff[round], queueOn[round],
          closeMillis[round], threadsOff[round], threadsOn[round]);
    }
    Spread off = Spread.of(queueOff);
    Spread on = Spread.of(queueOn);
    Spread threadOff = Spread.of(threadsOff);
    Spread threadOn = Spread.of(threadsOn);
    off.print("baseline_queue_tasks_per_s", "%.0f");
    threadOff.print("baseline_threads_tasks_per_s", "%.0f");
    Spread.of(closeMillis).print("taskdb_close_wait_ms", "%.0f");
    System.out.printf("taskdb_events_dropped: %d%n", dropped);
    threadOn.print("taskdb_threads_tasks_per_s", "%.0f");
    System.out.printf("ratio_threads_with_taskdb: %.2f%n", threadOn.median() / threadOff.median());
    on.print("taskdb_queue_tasks_per_s", "%.0f");
    System.out.printf("ratio_queue_with_taskdb: %.2f%n", on.median() / off.median());
  }

  private static double run(Path dir, Supplier<TaskExecutor> executor, TaskDatabase db, int tasks) throws Exception {
    return run(dir, executor, db, tasks, new long[1]);
  }

  /** Tasks per second of one kernel, after a warm-up in it; {@code closeNanos[0]} gets how long close took. */
  private static double run(Path dir, Supplier<TaskExecutor> executor, TaskDatabase db, int tasks, long[] closeNanos)
      throws Exception {
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(dir).executor(executor.get());
    if (db != null) {
      builder.listener(db);
    }
    DataFlowKernel dfk = builder.build();
    double perSecond;
    try {
      QueueBench.throughput(dfk, Math.max(1_000, tasks / 4));
      perSecond = QueueBench.throughput(dfk, tasks);
    } finally {
      long closing = System.nanoTime();
      dfk.close();
      closeNanos[0] = System.nanoTime() - closing;
    }
    return perSecond;
  }
}
