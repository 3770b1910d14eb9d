package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.dispatcher.LocalAutoscaler;
import dev.shoal.dispatcher.ScalingDecision.Action;
import dev.shoal.dispatcher.ScalingDecision;
import dev.shoal.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local default with autoscaling: real worker JVMs on the embedded SQS server, started from 0
 * when a burst is published and gone again once idle, with nobody stopping them.
 */
class LocalAutoscalingEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path runDir;

  private final List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();

  @Test
  void aBurstGrowsThePoolFromZeroAndIdleWorkersLeaveByThemselves() throws Exception {
    LocalCluster executor = LocalCluster.builder()
        .minWorkers(0)
        .maxWorkers(2)
        .workerIdleTimeout(Duration.ofSeconds(3))
        .logDir(runDir.resolve("workers"))
        // One task per message, so that both workers can get some.
        .configure(builder -> builder.maxTasksPerMessage(1).taskTimeout(WAIT))
        .configureScaling(builder -> builder.tick(Duration.ofMillis(200)).listener(new LocalAutoscaler.Listener() {
          @Override
          public void decided(ScalingDecision decision) {
            decisions.add(decision);
          }
        }))
        .build();
    try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(runDir).executor(executor).build()) {
      awaitDecision(0, decision -> true, "the autoscaler to start with the executor");
      assertThat(decisions.get(0).reason().toString()).startsWith("hold 0");

      List<AppFuture<Long>> sleeps = new ArrayList<>();
      for (long i = 0; i < 8; i++) {
        sleeps.add(dfk.call(EndToEndApps.SLEEP, 300 + i));
      }
      for (int i = 0; i < sleeps.size(); i++) {
        assertThat(sleeps.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(300L + i);
      }

      assertThat(decisions).filteredOn(decision -> decision.action() == Action.SCALE_OUT)
          .extracting(ScalingDecision::desiredWorkers).contains(2).allMatch(desired -> desired <= 2);
      int scaleIn = awaitDecision(0, decision -> decision.action() == Action.SCALE_IN,
          "a scale-in decision after the cool-down");
      awaitDecision(scaleIn, decision -> decision.currentWorkers() == 0, "the idle workers to leave");
      assertThat(decisions).noneMatch(decision -> decision.launch() > 0 && decision.currentWorkers() + decision.launch() > 2);
    }
  }

  /** Waits for a decision from index {@code from} on that matches; returns its index. */
  private int awaitDecision(int from, Predicate<ScalingDecision> condition, String what) {
    return Await.untilPresent(WAIT, () -> IntStream.range(from, decisions.size())
            .filter(i -> condition.test(decisions.get(i))).boxed().findFirst(),
        () -> what + "; decisions: " + decisions);
  }
}
