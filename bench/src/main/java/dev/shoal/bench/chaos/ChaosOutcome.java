package dev.shoal.bench.chaos;

import java.time.Duration;

/**
 * What one chaos scenario did to a run: every task submitted must surface exactly once with its
 * right answer, nothing may be left running, whatever was injected.
 *
 * @param scenario its name
 * @param submitted tasks the program submitted (and expects answers for)
 * @param surfaced tasks whose future completed with the right answer
 * @param lost tasks with no right answer by the deadline (failed, wrong, or still pending)
 * @param duplicatesSurfaced tasks whose completion reached the program more than once
 * @param duplicatesDropped results the executor received again and dropped (the at-least-once cost, not an error)
 * @param leftRunning worker processes still alive after the run closed
 * @param elapsed how long the run took
 * @param injected what was done to it
 * @param failures what the first few futures that did not surface said (empty when none failed)
 */
public record ChaosOutcome(String scenario, int submitted, int surfaced, int lost, int duplicatesSurfaced,
    long duplicatesDropped, int leftRunning, Duration elapsed, String injected,
    java.util.List<String> failures) {

  public ChaosOutcome {
    failures = java.util.List.copyOf(failures);
  }

  public boolean clean() {
    return lost == 0 && duplicatesSurfaced == 0 && leftRunning == 0 && surfaced == submitted;
  }

  /** A row of the results table. */
  public String row() {
    return String.format("| %s | %,d | %,d | %,d | %,d | %,d | %d | %.1f s | %s |", scenario, submitted, surfaced, lost,
        duplicatesSurfaced, duplicatesDropped, leftRunning, elapsed.toMillis() / 1000.0, injected);
  }
}
