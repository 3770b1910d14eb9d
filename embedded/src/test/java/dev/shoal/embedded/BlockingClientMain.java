package dev.shoal.embedded;

import dev.shoal.DataFlowKernel;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A client program for tests that need one to kill: it runs a kernel on a local cluster of two
 * workers, prints each worker's process id ("worker-pid N") once the workers are ready, then
 * "client ready", and blocks until it is killed.
 *
 * <p>Argument: a directory for the run (the workers' logs go to its {@code workers} folder).
 */
public final class BlockingClientMain {
  private BlockingClientMain() {}

  public static void main(String[] args) throws InterruptedException {
    Path runDir = Path.of(args[0]);
    LocalCluster cluster = LocalCluster.builder().workers(2).logDir(runDir.resolve("workers")).build();
    DataFlowKernel kernel = DataFlowKernel.builder().runDir(runDir).executor(cluster).build();
    Await.until(Duration.ofSeconds(90), () -> cluster.workers().list().stream()
        .filter(worker -> worker.state() == WorkerInstance.State.RUNNING).count() == 2, () -> "two ready workers");
    List<WorkerInstance> workers = cluster.workers().list();
    for (WorkerInstance worker : workers) {
      System.out.println("worker-pid " + cluster.workers().process(worker.id()).orElseThrow().pid());
    }
    System.out.println("client ready (" + kernel + ")");
    System.out.flush();
    new CountDownLatch(1).await(); // until killed: that is what the test does to it
  }
}
