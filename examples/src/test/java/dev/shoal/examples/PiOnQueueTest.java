package dev.shoal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.Arg;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.spi.TaskExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README demo's program gives the same pi through ElasticMQ and two worker JVMs as on threads. */
class PiOnQueueTest {
  @TempDir
  Path runDir;

  private double pi(TaskExecutor executor) throws Exception {
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build()) {
      List<AppFuture<Long>> counts = new ArrayList<>();
      for (long seed = 0; seed < 20; seed++) {
        counts.add(dfk.call(PiApps.SAMPLE, 20_000L, seed));
      }
      return dfk.call(PiApps.ESTIMATE, Arg.all(counts), Arg.of(20_000L)).get(120, TimeUnit.SECONDS);
    }
  }

  @Test
  void piThroughTheQueueEqualsPiOnThreads() throws Exception {
    double remote = pi(LocalCluster.builder().workers(2).logDir(runDir.resolve("workers")).build());
    double local = pi(ThreadPoolTaskExecutor.create());

    assertThat(remote).isEqualTo(local).isBetween(3.0, 3.3);
  }
}
