package dev.shoal.bench;

import dev.shoal.embedded.LocalCluster;
import dev.shoal.spi.WorkerInstance;
import java.time.Duration;

/** What a mode needs to know about a local cluster's worker JVMs. */
final class Workers {
  private Workers() {}

  /** The worker JVMs that poll the queue (started and ready, not merely launched). */
  static int running(LocalCluster cluster) {
    return (int) cluster.workers().list().stream().filter(w -> w.state() == WorkerInstance.State.RUNNING).count();
  }

  /** Waits until {@code count} worker JVMs poll, so that a round measures tasks and not JVM start-up. */
  static void awaitRunning(LocalCluster cluster, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running(cluster) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(count + " workers did not start within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
