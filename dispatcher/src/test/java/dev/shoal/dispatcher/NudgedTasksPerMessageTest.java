package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.InMemoryTransport;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A function host's estimate of tasks per message, and the report it returns. */
class NudgedTasksPerMessageTest {

  @Test
  void theLastNudgeWithBothCountsWinsOverTheFallback() {
    NudgedTasksPerMessage estimate = new NudgedTasksPerMessage(2);
    assertThat(estimate.getAsDouble()).isEqualTo(2);

    assertThat(estimate.heard(90, 3)).isTrue();
    assertThat(estimate.getAsDouble()).isEqualTo(30);
    // A bare nudge, or one without messages, says nothing about the ratio.
    assertThat(estimate.heard(0, 0)).isFalse();
    assertThat(estimate.heard(5, 0)).isFalse();
    assertThat(estimate.getAsDouble()).isEqualTo(30);
    assertThat(estimate.heard(1, 1)).isTrue();
    assertThat(estimate.getAsDouble()).isEqualTo(1);
  }

  @Test
  void aStepSizesItsPoolFromTheNudgedRatioAndReportsWhatItDid() {
    ManualClock clock = new ManualClock();
    try (InMemoryTransport transport = new InMemoryTransport();
         RecordingComputeProvider provider = new RecordingComputeProvider(clock)) {
      String queue = transport.createQueue("tasks", QueueOptions.defaults()).join();
      transport.send(queue, IntStream.range(0, 3).mapToObj(i -> "m".getBytes(StandardCharsets.UTF_8)).toList()).join();
      NudgedTasksPerMessage estimate = new NudgedTasksPerMessage(1);
      ScalingStep step = ScalingStep.builder().taskQueue(transport, queue).provider(provider)
          .config(ScalingConfig.builder().maxWorkers(10).slotsPerWorker(2).build()).clock(clock)
          .tasksPerMessage(estimate).build();
      estimate.heard(20, 5);

      ScalingReport report = ScalingReport.of(step.evaluate());

      // 3 messages of 4 tasks: 12 tasks, 2 a worker.
      assertThat(report.action()).isEqualTo("SCALE_OUT");
      assertThat(report.desiredWorkers()).isEqualTo(6);
      assertThat(report.currentWorkers()).isZero();
      assertThat(report.launched()).containsExactlyElementsOf(provider.ids());
      assertThat(report.visibleMessages()).isEqualTo(3);
      assertThat(report.inFlightMessages()).isZero();
      assertThat(report.terminatedStuck()).isEmpty();
      assertThat(report.reason()).startsWith("scale out 0 -> 6: demand 12 tasks");

      // The queue's own record wins over the nudge.
      transport.tagQueue(queue, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "8")).join();
      assertThat(ScalingReport.of(step.evaluate()).desiredWorkers()).isEqualTo(10);
    }
  }

  @Test
  void theReportKeepsItsOwnCopies() {
    List<String> launched = new java.util.ArrayList<>(List.of("a"));
    ScalingReport report = new ScalingReport("HOLD", 1, 1, launched, List.of(), List.of(), 0, 0, "hold 1", null, null);
    launched.add("b");
    assertThat(report.launched()).containsExactly("a");
  }
}
