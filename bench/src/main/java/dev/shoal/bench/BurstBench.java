package dev.shoal.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local burst: the time from a burst being published on an idle pool of 0 local workers to its
 * first task finished, with the in-process burst on (this JVM serves the first tasks while worker
 * JVMs start) and, as the baseline in the same run, off (the first task waits for a worker JVM).
 * Rounds alternate on and off, so that both see the same machine. The autoscaler is nudged, as by
 * default; see {@link ScaleBench} for the pool itself.
 *
 * <p>Options: {@code --rounds R} (default 3), {@code --burst N} tasks (default 50).
 */
public final class BurstBench {
  private BurstBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = 3;
    int burst = 50;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--burst" -> burst = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-burst-bench");
    System.out.printf("burst bench: bursts of %d no-op tasks on an idle pool of 0..2 local workers, in-process burst "
        + "on and off, %d rounds%n", burst, rounds);
    double[] on = new double[rounds];
    double[] off = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      on[round] = ScaleBench.burst(runDir, burst, 2, true, true, false).firstTaskMs();
      off[round] = ScaleBench.burst(runDir, burst, 2, true, false, false).firstTaskMs();
      System.out.printf("round %d: first task %.0f ms with the in-process burst, %.0f ms without%n", round + 1,
          on[round], off[round]);
    }
    Spread withBurst = Spread.of(on);
    Spread without = Spread.of(off);
    withBurst.print("scale_first_task_ms", "%.0f");
    without.print("baseline_burst_off_first_task_ms", "%.0f");
    System.out.printf("ratio_first_task_vs_burst_off: %.3f%n", withBurst.median() / without.median());
  }
}
