package dev.shoal.dashboard;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.taskdb.TaskDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * A real run recorded in a task database, on the thread executor: four squares summed, a task that
 * fails with {@link DashboardTestApps#HOSTILE} and one that depends on it.
 *
 * @param failedTask the task that failed; {@code depFailedTask} the one that therefore never ran
 */
record RecordedRun(Path database, String runId, List<Long> squares, long totalTask, long failedTask,
    long depFailedTask) {

  static RecordedRun onThreads(Path dir) {
    return onThreads(dir, null);
  }

  /** @param runId the run's id; null for the kernel's own */
  static RecordedRun onThreads(Path dir, String runId) {
    Path database = dir.resolve("monitoring.db");
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(dir.resolve("runinfo")).program("DashboardTest <run>")
        .executor(ThreadPoolTaskExecutor.builder().label("threads").threads(2).build())
        .listener(TaskDatabase.open(database));
    if (runId != null) {
      builder.runId(runId);
    }
    try (DataFlowKernel dfk = builder.build()) {
      List<AppFuture<Long>> squares = new ArrayList<>();
      for (long i = 1; i <= 4; i++) {
        squares.add(dfk.call(DashboardTestApps.SQUARE, i));
      }
      AppFuture<Long> total = dfk.call(DashboardTestApps.TOTAL, Arg.all(squares));
      AppFuture<Long> failed = dfk.call(DashboardTestApps.FAIL, DashboardTestApps.HOSTILE);
      AppFuture<Long> skipped = dfk.call(DashboardTestApps.SQUARE, failed);
      if (total.join() != 30L) {
        throw new AssertionError("the run went wrong: " + total.join());
      }
      try {
        skipped.join();
        throw new AssertionError("a task whose input failed ran");
      } catch (CompletionException expected) {
        // as it should
      }
      return new RecordedRun(database, dfk.runId(), squares.stream().map(AppFuture::taskId).toList(), total.taskId(),
          failed.taskId(), skipped.taskId());
    }
  }
}
