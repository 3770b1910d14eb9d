package dev.shoal.bench;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.embedded.LocalCluster;
import dev.shoal.spi.PayloadStore;
import dev.shoal.spi.PayloadStoreProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Payloads from 1 KB to 100 MB through the embedded default: an argument sent to one worker JVM
 * and given back as its result. Up to the queue's limit (256 KB with the envelope) it travels inside
 * the queue message; above it, through the cluster's payload store, a folder on local disk. Per size
 * and round: the round trip's time ({@code payload_rtt_ms}), MB of payload per second of round
 * trip ({@code payload_mb_per_s}: the argument out and the result back count once each), and the
 * overhead share ({@code payload_overhead_pct}): the round trip of a tiny task (the median of 10
 * one-character echoes just before) over this round trip, i.e. the part of it that is a task's
 * fixed cost rather than moving the payload. The claim checked: as the size grows, the overhead
 * share falls towards 0 and MB/s rises. The baseline, measured in the same run: the store's bare
 * copy rate, a put and a get of the same bytes straight through the store, in MB per second of the
 * two. MB here are MiB.
 *
 * <p>Options: {@code --sizes-kb 1,10,100,1024,10240,102400} (KiB, the default), or the older
 * {@code --sizes 1,10,100} (MiB, as before, with the same output names for those sizes),
 * {@code --rounds R} (default 3), {@code --plot PATH} (default {@code bench/results/plots/payload.png}).
 * Each figure is the median of its rounds, printed with the lowest and highest.
 */
public final class PayloadBench {
  private static final int KB = 1024;

  private PayloadBench() {}

  public static void main(String[] args) throws Exception {
    int[] sizesKb = {1, 10, 100, 1024, 10 * 1024, 100 * 1024};
    int rounds = 3;
    String plot = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--sizes-kb" -> sizesKb = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
        case "--sizes" -> sizesKb = Arrays.stream(args[++i].split(",")).mapToInt(mb -> Integer.parseInt(mb) * KB)
            .toArray();
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--plot" -> plot = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-payload-bench");
    Path storeDir = Files.createDirectories(runDir.resolve("payloads"));
    System.out.printf("payload bench: %s KiB, %d rounds, a folder store at %s%n", Arrays.toString(sizesKb), rounds,
        storeDir);
    // The worker's heap sized for the largest payload (text, bytes and JSON of it at once), as a
    // user with such payloads would size it; the default of local workers is 512 MB.
    LocalCluster cluster = LocalCluster.builder().workers(1).inProcessBurst(false).payloadStore(storeDir.toUri())
        .configureWorkers(workers -> workers.jvmArgs(List.of("-Xmx3g", "-XX:+UseSerialGC", "-Xshare:auto")))
        .logDir(runDir.resolve("workers")).build();
    List<Spread> shoalRates = new ArrayList<>();
    List<Spread> copyRates = new ArrayList<>();
    List<Spread> overheads = new ArrayList<>();
    try (PayloadStore bare = PayloadStoreProvider.forScheme("file").create(storeDir.toUri(), Map.of());
         DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(cluster).build()) {
      Workers.awaitRunning(cluster, 1, Duration.ofMinutes(2));
      for (int i = 0; i < 200; i++) {
        dfk.call(BenchApps.ECHO, "warm-up").get(2, TimeUnit.MINUTES);
      }
      List<Double> tinyAll = new ArrayList<>();
      for (int sizeKb : sizesKb) {
        String label = label(sizeKb);
        double mb = sizeKb / (double) KB;
        String text = "x".repeat(sizeKb * KB);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        double[] rtt = new double[rounds];
        double[] shoal = new double[rounds];
        double[] overhead = new double[rounds];
        double[] copy = new double[rounds];
        for (int round = 0; round < rounds; round++) {
          double tiny = tinyRoundTripMs(dfk);
          tinyAll.add(tiny);
          long started = System.nanoTime();
          AppFuture<String> echo = dfk.call(BenchApps.ECHO, text);
          String back = echo.get(10, TimeUnit.MINUTES);
          double seconds = (System.nanoTime() - started) / 1e9;
          if (back.length() != text.length()) {
            throw new IllegalStateException("the payload came back with " + back.length() + " characters, not "
                + text.length());
          }
          rtt[round] = seconds * 1e3;
          shoal[round] = 2.0 * mb / seconds;
          overhead[round] = Math.min(100, 100 * tiny / rtt[round]);

          started = System.nanoTime();
          URI stored = bare.put("bench", bytes).join();
          byte[] read = bare.get(stored, bytes.length).join();
          seconds = (System.nanoTime() - started) / 1e9;
          bare.delete(stored).join();
          if (read.length != bytes.length) {
            throw new IllegalStateException("the store gave back " + read.length + " bytes, not " + bytes.length);
          }
          copy[round] = 2.0 * mb / seconds;
          System.out.printf("%s round %d: round trip %.1f ms, %.3f MB/s (tiny task %.2f ms: %.1f %%), bare store"
              + " %.3f MB/s%n", label, round + 1, rtt[round], shoal[round], tiny, overhead[round], copy[round]);
        }
        Spread.of(rtt).print("payload_rtt_ms_" + label, "%.2f");
        Spread.of(shoal).print("payload_mb_per_s_" + label, "%.3f");
        Spread.of(overhead).print("payload_overhead_pct_" + label, "%.1f");
        Spread.of(copy).print("store_copy_mb_per_s_" + label, "%.3f");
        shoalRates.add(Spread.of(shoal));
        overheads.add(Spread.of(overhead));
        copyRates.add(Spread.of(copy));
      }
      Spread.of(tinyAll.stream().mapToDouble(Double::doubleValue).toArray()).print("payload_tiny_rtt_ms", "%.2f");
    }
    double[] x = Arrays.stream(sizesKb).asDoubleStream().toArray();
    Path file = Plot.lines(Plot.path(plot, "payload"),
        "Payload round trip: MB/s and the share of a task's fixed cost (median, min-max of " + rounds + " rounds)",
        "payload size (KiB)", Plot.Scale.LOG_XY, "MB/s",
        List.of(Plot.Series.of("round trip MB/s", x, shoalRates),
            Plot.Series.of("baseline: bare store put + get MB/s", x, copyRates)),
        "overhead share of the round trip (%)", List.of(Plot.Series.of("overhead share (%)", x, overheads)));
    System.out.printf("plot: %s%n", file);
  }

  /** The median of 10 one-character echoes: a task's fixed cost just now. */
  private static double tinyRoundTripMs(DataFlowKernel dfk) throws Exception {
    double[] millis = new double[10];
    for (int i = 0; i < millis.length; i++) {
      long started = System.nanoTime();
      dfk.call(BenchApps.ECHO, "x").get(1, TimeUnit.MINUTES);
      millis[i] = (System.nanoTime() - started) / 1e6;
    }
    return Spread.of(millis).median();
  }

  /** 1 KiB as {@code 1kb}, 10 MiB as {@code 10mb} (the names the mode printed for its MB sizes). */
  static String label(int sizeKb) {
    return sizeKb % KB == 0 ? sizeKb / KB + "mb" : sizeKb + "kb";
  }
}
