package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of long tasks spreads over every worker (issue 8, item 8): the client packs it into at
 * least one message per worker slot, and a worker holds no more than it can start soon, handing
 * back what would wait behind its slots. Real worker JVMs on the embedded queue; the assertion is
 * on who ran what (the tasks report their worker's pid), never on time.
 */
class FairnessEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final int TASKS = 16;
  private static final long TASK_MILLIS = 2_000;

  @TempDir
  Path runDir;

  @Test
  void sixteenTwoSecondTasksOnTwoWorkersOfTwoSlotsRunEightOnEach() throws Exception {
    LocalCluster cluster = LocalCluster.builder()
        .workers(2)
        .slotsPerWorker(2)
        .logDir(runDir.resolve("workers"))
        .configure(builder -> builder.taskTimeout(WAIT))
        .build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      // Both workers polling before the burst, as in a pool that is up; otherwise the first one
      // up rightly takes what the other is not there to take.
      Await.until(WAIT, () -> cluster.workers().list().stream()
          .filter(worker -> worker.state() == WorkerInstance.State.RUNNING).count() == 2, () -> "two workers ready");

      List<AppFuture<Long>> burst = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        burst.add(dfk.call(EndToEndApps.SLEEP_THEN_PID, TASK_MILLIS));
      }
      List<Long> pids = new ArrayList<>();
      for (AppFuture<Long> task : burst) {
        pids.add(task.get(WAIT.toSeconds(), TimeUnit.SECONDS));
      }

      Map<Long, Long> perWorker = pids.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      assertThat(perWorker).as("tasks per worker pid").hasSize(2);
      assertThat(perWorker.values()).as("tasks per worker pid: %s", perWorker).allSatisfy(count ->
          assertThat(count).isBetween(6L, 10L));
    }
  }
}
