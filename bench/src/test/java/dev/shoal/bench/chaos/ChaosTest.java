package dev.shoal.bench.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos suite at CI size (`bench/run.sh chaos` runs it at 10,000 tasks a scenario): whatever is
 * injected, every task surfaces once with its right answer and no worker is left running.
 */
class ChaosTest {
  @TempDir Path runDir;

  private static void assertClean(ChaosOutcome outcome) {
    assertThat(outcome.lost()).as("lost in %s", outcome).isZero();
    assertThat(outcome.duplicatesSurfaced()).as("duplicates surfaced in %s", outcome).isZero();
    assertThat(outcome.surfaced()).as("surfaced in %s", outcome).isEqualTo(outcome.submitted());
    assertThat(outcome.leftRunning()).as("workers left running after %s", outcome).isZero();
  }

  @Test
  void workersKilledWhileTheyHoldTasksLoseNothing() throws Exception {
    ChaosOutcome outcome = ChaosRun.workerKills(runDir, 600, Duration.ofSeconds(2));
    assertClean(outcome);
    assertThat(outcome.injected()).doesNotStartWith("0 workers");
  }

  @Test
  void aQueueServiceUnreachableForTenSecondsLosesNothing() throws Exception {
    assertClean(ChaosRun.queueUnreachable(runDir, 600, Duration.ofSeconds(10)));
  }

  @Test
  void throttlingAndServerErrorsLoseNothing() throws Exception {
    assertClean(ChaosRun.throttling(runDir, 600, Duration.ofSeconds(8), 0.3));
  }

  @Test
  void aClientKilledMidRunIsFinishedByItsReRunFromTheCheckpointAndLeavesNoWorkers() throws Exception {
    assertClean(ChaosRun.clientKilled(runDir, 300));
  }

  @Test
  void hostileMessagesLeaveTheRunsOwnTasksAlone() throws Exception {
    assertClean(ChaosRun.hostileMessages(runDir, 300));
  }
}
