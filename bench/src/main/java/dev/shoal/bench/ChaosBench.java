package dev.shoal.bench;

import dev.shoal.bench.chaos.ChaosOutcome;
import dev.shoal.bench.chaos.ChaosRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Faults injected on purpose into runs on the local queue path, with the count of tasks submitted,
 * results surfaced, results lost, duplicates surfaced and workers left running for each. Target:
 * 0 lost, 0 duplicates surfaced, every run finishes, nothing left running.
 *
 * <p>Options: {@code --tasks N} (default 10,000) per scenario.
 */
public final class ChaosBench {
  private ChaosBench() {}

  public static void main(String[] args) throws Exception {
    int tasks = 10_000;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--tasks")) {
        tasks = Integer.parseInt(args[++i]);
      } else {
        throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Path runDir = Files.createTempDirectory("shoal-chaos");
    List<ChaosOutcome> outcomes = List.of(
        ChaosRun.workerKills(runDir.resolve("kills"), tasks, Duration.ofSeconds(3)),
        ChaosRun.queueUnreachable(runDir.resolve("outage"), tasks, Duration.ofSeconds(10)),
        ChaosRun.throttling(runDir.resolve("throttling"), tasks, Duration.ofSeconds(10), 0.3),
        ChaosRun.hostileMessages(runDir.resolve("hostile"), tasks),
        ChaosRun.clientKilled(runDir.resolve("client"), Math.min(tasks, 2_000)));
    System.out.println("| scenario | submitted | surfaced | lost | duplicates surfaced | duplicates dropped | left running | took | injected |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    outcomes.forEach(outcome -> System.out.println(outcome.row()));
    long lost = 0;
    long duplicates = 0;
    long left = 0;
    for (ChaosOutcome outcome : outcomes) {
      String key = "chaos_" + outcome.scenario().replaceAll("[^a-z0-9]+", "_").replaceAll("_+$", "");
      System.out.printf("%s_lost: %d%n", key, outcome.lost());
      System.out.printf("%s_duplicates_surfaced: %d%n", key, outcome.duplicatesSurfaced());
      System.out.printf("%s_left_running: %d%n", key, outcome.leftRunning());
      lost += outcome.lost();
      duplicates += outcome.duplicatesSurfaced();
      left += outcome.leftRunning();
    }
    System.out.printf("chaos_lost_total: %d%n", lost);
    System.out.printf("chaos_duplicates_surfaced_total: %d%n", duplicates);
    System.out.printf("chaos_left_running_total: %d%n", left);
  }
}
