package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import dev.shoal.spi.WorkerInstance;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Large payloads through the embedded default: an argument of 1, 10 and 100 MB sent to a worker
 * JVM and given back as its result (both over the queue's limit, so both go through the cluster's
 * payload store, a folder on local disk), in MB of payload per second of round trip (the argument
 * out and the result back count once each). The baseline, measured in the same run: the store's
 * bare copy rate, a put and a get of the same bytes straight through the store, in MB per second
 * of the two.
 *
 * <p>Options: {@code --sizes 1,10,100} (MB), {@code --rounds R} (default 3). Each figure is the
 * median of its rounds, printed with the lowest and highest.
 */
public final class PayloadBench {
  private static final int MB = 1024 * 1024;

  private PayloadBench() {}

  public static void main(String[] args) throws Exception {
    int[] sizes = {1, 10, 100};
    int rounds = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes" -> sizes = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-payload-bench");
    Path storeDir = Files.createDirectories(runDir.resolve("payloads"));
    System.out.printf("payload bench: %s MB, %d rounds, a folder store at %s%n", Arrays.toString(sizes), rounds,
        storeDir);
    // The worker's heap sized for the largest payload (text, bytes and JSON of it at once), as a
    // user with such payloads would size it; the default of local workers is 512 MB.
    LocalCluster cluster = LocalCluster.builder().workers(1).inProcessBurst(false).payloadStore(storeDir.toUri())
        .configureWorkers(workers -> workers.jvmArgs(List.of("-Xmx3g", "-XX:+UseSerialGC", "-Xshare:auto")))
        .logDir(runDir.resolve("workers")).build();
    try (PayloadStore bare = PayloadStoreProvider.forScheme("file").create(storeDir.toUri(), Map.of());
         DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      awaitReady(cluster);
      dfk.call(BenchApps.ECHO, "warm-up").get(2, TimeUnit.MINUTES);
      for (int size : sizes) {
        String text = "x".repeat(size * MB);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        double[] shoal = new double[rounds];
        double[] copy = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          long started = System.nanoTime();
          AppFuture<String> echo = dfk.call(BenchApps.ECHO, text);
          String back = echo.get(10, TimeUnit.MINUTES);
          double seconds = (System.nanoTime() - started) / 1e9;
          if (back.length() != text.length()) {
            throw new IllegalStateException("the payload came back with " + back.length() + " characters, not "
                + text.length());
          }
          shoal[round] = 2.0 * size / seconds;

          started = System.nanoTime();
          URI stored = bare.put("bench", bytes).join();
          byte[] read = bare.get(stored, bytes.length).join();
          seconds = (System.nanoTime() - started) / 1e9;
          bare.delete(stored).join();
          if (read.length != bytes.length) {
            throw new IllegalStateException("the store gave back " + read.length + " bytes, not " + bytes.length);
          }
          copy[round] = 2.0 * size / seconds;
          System.out.printf("%d MB round %d: round trip %.1f MB/s, bare store %.1f MB/s%n", size, round + 1,
              shoal[round], copy[round]);
        }
        Spread.of(shoal).print("payload_mb_per_s_" + size + "mb", "%.1f");
        Spread.of(copy).print("store_copy_mb_per_s_" + size + "mb", "%.1f");
      }
    }
  }

  /** Waits until the worker polls, so that a round measures payloads and not JVM start-up. */
  private static void awaitReady(LocalCluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    List<WorkerInstance> running;
    do {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the worker did not start within 2 minutes");
      }
      Thread.sleep(50);
      running = cluster.workers().list().stream().filter(w -> w.state() == WorkerInstance.State.RUNNING).toList();
    } while (running.isEmpty());
  }
}
