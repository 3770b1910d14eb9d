package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.dispatcher.ScalingDecision.Action;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one evaluation every host runs, called directly: a real in-memory queue, a recording
 * provider, and a clock that moves only when the test moves it.
 */
class ScalingStepTest {
  private final ManualClock clock = new ManualClock();
  private final RecordingComputeProvider provider = new RecordingComputeProvider(clock);
  private final FlakyTransport transport = new FlakyTransport();
  private String queue;

  @BeforeEach
  void createQueue() {
    queue = transport.createQueue("tasks", QueueOptions.defaults()).join();
  }

  @AfterEach
  void close() {
    transport.close();
  }

  private ScalingStep.Builder step(ScalingConfig.Builder config) {
    return ScalingStep.builder().taskQueue(transport, queue).provider(provider).config(config.build()).clock(clock);
  }

  @Test
  void theOutcomeSaysWhatTheStepReadDecidedAndLaunched() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4).slotsPerWorker(2)).build();
    send(5);
    List<ReceivedMessage> taken = transport.receive(queue, 1, Duration.ZERO).join();
    assertThat(taken).hasSize(1);

    ScalingOutcome outcome = step.evaluate();

    assertThat(outcome.depth()).isEqualTo(new QueueDepth(4, 1));
    assertThat(outcome.decision().reason().toString()).isEqualTo(
        "scale out 0 -> 3: demand 5 tasks > capacity 0 (2 slots/worker, target 1/slot)");
    assertThat(outcome.launched()).extracting(WorkerInstance::id).containsExactlyElementsOf(provider.ids());
    assertThat(outcome.launched()).hasSize(3).allMatch(worker -> worker.state() == WorkerInstance.State.PENDING);
    assertThat(outcome.terminatedStuck()).isEmpty();
    assertThat(step.evaluate().launched()).as("pending workers count").isEmpty();
    assertThat(provider.launches()).containsExactly(3);
  }

  @Test
  void theCoolDownRunsFromTheLastEvaluationThatSawWork() {
    ScalingStep step = step(ScalingConfig.builder().minWorkers(0).maxWorkers(4).coolDown(Duration.ofSeconds(60)))
        .build();
    send(1);
    step.evaluate();
    provider.registerAll();
    clock.advance(Duration.ofSeconds(30));
    assertThat(step.evaluate().decision().reason().toString()).startsWith("hold 1: demand 1 task");
    drain();

    clock.advance(Duration.ofSeconds(59));
    assertThat(step.evaluate().decision().reason().toString()).isEqualTo("hold 1: idle 59s < cool-down 60s");
    clock.advance(Duration.ofSeconds(1));
    ScalingOutcome idle = step.evaluate();

    assertThat(idle.decision().action()).isEqualTo(Action.SCALE_IN);
    assertThat(idle.launched()).isEmpty();
    assertThat(provider.terminated()).as("scale-in stops nobody").isEmpty();
  }

  @Test
  void aNewStepCountsTheQueueAsBusyUntilItsFirstEvaluation() {
    ScalingStep.Builder builder = step(ScalingConfig.builder().maxWorkers(4).coolDown(Duration.ofSeconds(60)));
    ScalingStep first = builder.build();
    first.evaluate();
    clock.advance(Duration.ofMinutes(5));

    ScalingStep second = builder.build();

    assertThat(first.evaluate().decision().reason().toString()).isEqualTo("hold 0: idle for 300s");
    assertThat(second.evaluate().decision().reason().toString()).isEqualTo("hold 0: idle for 0ms");
  }

  @Test
  void aWorkerStillPendingAtTheDeadlineIsTerminatedOnceNotCountedAndReplaced() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4).pendingDeadline(Duration.ofMinutes(2))).build();
    send(1);
    String slow = step.evaluate().launched().get(0).id();

    clock.advance(Duration.ofSeconds(119));
    assertThat(step.evaluate().terminatedStuck()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    ScalingOutcome outcome = step.evaluate();

    assertThat(outcome.terminatedStuck()).extracting(WorkerInstance::id).containsExactly(slow);
    assertThat(provider.terminated()).containsExactly(slow);
    assertThat(outcome.decision().currentWorkers()).as("the stuck one is not counted").isZero();
    assertThat(outcome.launched()).hasSize(1);
    // Still listed while it dies: neither terminated again nor counted.
    ScalingOutcome next = step.evaluate();
    assertThat(next.terminatedStuck()).isEmpty();
    assertThat(next.decision().currentWorkers()).isEqualTo(1);
    assertThat(provider.terminated()).containsExactly(slow);
  }

  @Test
  void aPollingWorkerSilentForTheSilenceLimitIsTerminatedOnceNotCountedAndReplaced() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4).silenceLimit(Duration.ofMinutes(5))).build();
    send(2);
    assertThat(step.evaluate().launched()).hasSize(2);
    provider.registerAll();
    List<String> ids = provider.ids();
    String hung = ids.get(0);
    String alive = ids.get(1);
    provider.beat(hung);
    provider.beat(alive);

    // The live one keeps beating, the hung one falls silent.
    clock.advance(Duration.ofMinutes(4));
    provider.beat(alive);
    assertThat(step.evaluate().terminatedSilent()).isEmpty();
    clock.advance(Duration.ofSeconds(59));
    provider.beat(alive);
    assertThat(step.evaluate().terminatedSilent()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    provider.beat(alive);
    ScalingOutcome outcome = step.evaluate();

    assertThat(outcome.terminatedSilent()).extracting(WorkerInstance::id).containsExactly(hung);
    assertThat(outcome.terminatedStuck()).isEmpty();
    assertThat(provider.terminated()).containsExactly(hung);
    assertThat(outcome.decision().currentWorkers()).as("the silent one is not counted").isEqualTo(1);
    assertThat(outcome.launched()).as("its work is still queued: replaced").hasSize(1);
    // Still listed while it dies: neither terminated again nor counted.
    provider.beat(alive);
    ScalingOutcome next = step.evaluate();
    assertThat(next.terminatedSilent()).isEmpty();
    assertThat(next.decision().currentWorkers()).isEqualTo(2);
    assertThat(provider.terminated()).containsExactly(hung);
  }

  @Test
  void aWorkerWhoseProviderReadsNoHeartbeatIsNeverSilent() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4).silenceLimit(Duration.ofMinutes(5))).build();
    send(1);
    step.evaluate();
    provider.registerAll();

    clock.advance(Duration.ofHours(3));

    assertThat(step.evaluate().terminatedSilent()).isEmpty();
    assertThat(provider.terminated()).isEmpty();
  }

  @Test
  void anUnreadableQueueDoesNothingAndSaysWhy() {
    ScalingStep step = step(ScalingConfig.builder().minWorkers(1)).build();
    transport.failDepth(true);

    assertThatThrownBy(step::evaluate).isInstanceOf(ScalingStep.DepthUnreadableException.class)
        .hasMessageContaining("cannot read the depth of " + queue).hasMessageContaining("service unavailable");
    assertThat(provider.launches()).isEmpty();

    transport.failDepth(false);
    assertThat(step.evaluate().launched()).hasSize(1);
  }

  @Test
  void anInterruptedEvaluationLaunchesNothing() {
    ScalingStep step = step(ScalingConfig.builder().minWorkers(2)).build();
    // The depth is read before the interrupt is seen: a completed future returns at once.
    Thread.currentThread().interrupt();
    ScalingOutcome outcome;
    try {
      outcome = step.evaluate();
    } finally {
      Thread.interrupted();
    }

    assertThat(outcome.decision().launch()).isEqualTo(2);
    assertThat(outcome.launched()).isEmpty();
    assertThat(provider.launches()).isEmpty();
  }

  @Test
  void theTasksPerMessageEstimateIsReadOnEveryEvaluationAndNonsenseCountsAsOne() {
    double[] estimate = {Double.NaN};
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4))
        .tasksPerMessage(() -> estimate[0]).build();
    send(3);

    assertThat(step.evaluate().decision().reason().toString()).startsWith("scale out 0 -> 1: demand 3 tasks >");
    estimate[0] = 4;
    assertThat(step.evaluate().decision().reason().toString()).startsWith("scale out 1 -> 3: demand 12 tasks in 3");
  }

  @Test
  void theTasksPerMessageTheQueueRecordsComeBeforeTheHostsEstimate() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4)).tasksPerMessage(() -> 2)
        .build();
    send(3);

    // A record that is not a number is someone else's: the host's estimate holds.
    transport.tagQueue(queue, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "many")).join();
    assertThat(step.evaluate().decision().reason().toString()).startsWith("scale out 0 -> 2: demand 6 tasks in 3");
    // The publisher's record: 3 bundles of 40 tasks need 30 workers of 4 slots, 10 at most.
    transport.tagQueue(queue, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "40.0")).join();
    assertThat(step.evaluate().decision().reason().toString())
        .startsWith("scale out 2 -> 10: demand 120 tasks in 3 messages > capacity 8");
  }

  @Test
  void theBurstGoesOnWithTheLaunchWaitsWhileTurningAndGoesOffOnceTheWorkersPoll() {
    RecordingBurstSwitch burst = new RecordingBurstSwitch();
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4).slotsPerWorker(2)).burst(burst).build();
    send(6);

    ScalingOutcome first = step.evaluate();
    assertThat(first.launched()).hasSize(3);
    assertThat(first.burst().action()).isEqualTo(BurstDecision.Action.TURN_ON);
    assertThat(first.summary()).isEqualTo("scale out 0 -> 3: demand 6 tasks > capacity 0 (2 slots/worker, "
        + "target 1/slot); burst on: demand 6 tasks > running capacity 0 while 3 workers boot");
    assertThat(burst.turns()).containsExactly(true);

    // Still enabling: not asked again.
    assertThat(step.evaluate().burst().action()).isEqualTo(BurstDecision.Action.LEFT_ALONE);
    burst.settle();
    assertThat(step.evaluate().burst().action()).isEqualTo(BurstDecision.Action.STAY);
    assertThat(burst.turns()).containsExactly(true);

    provider.registerAll();
    ScalingOutcome caughtUp = step.evaluate();
    assertThat(caughtUp.burst().action()).isEqualTo(BurstDecision.Action.TURN_OFF);
    assertThat(caughtUp.burst().toString()).isEqualTo("burst off: demand 6 tasks within running capacity 6");
    assertThat(burst.turns()).containsExactly(true, false);
    assertThat(ScalingReport.of(caughtUp).burst()).isEqualTo("TURN_OFF");
    assertThat(ScalingReport.of(caughtUp).burstOn()).isFalse();
  }

  @Test
  void aBurstSwitchThatCannotBeReadOrTurnedLeavesTheBurstAndTheLaunchStands() {
    RecordingBurstSwitch burst = new RecordingBurstSwitch();
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4)).burst(burst).build();
    send(2);
    burst.failReads(new IllegalStateException("Lambda unreachable"));

    ScalingOutcome unread = step.evaluate();
    assertThat(unread.launched()).as("the pool's decision stands").hasSize(2);
    assertThat(unread.burst().action()).isEqualTo(BurstDecision.Action.LEFT_ALONE);
    assertThat(unread.burst().toString()).startsWith("burst left alone: its state cannot be read")
        .contains("Lambda unreachable");

    burst.failReads(null);
    burst.failTurns(new IllegalStateException("AccessDenied"));
    ScalingOutcome refused = step.evaluate();
    assertThat(refused.burst().action()).isEqualTo(BurstDecision.Action.LEFT_ALONE);
    assertThat(refused.burst().on()).isFalse();
    assertThat(refused.burst().toString()).startsWith("burst left alone: could not turn it on (demand 2 tasks")
        .contains("AccessDenied");

    burst.failTurns(null);
    assertThat(step.evaluate().burst().action()).as("tried again on the next evaluation")
        .isEqualTo(BurstDecision.Action.TURN_ON);
    assertThat(burst.turns()).containsExactly(true);
  }

  @Test
  void theVmOnlyQueuesTasksAreTheVmsDemandButNeverTheBursts() {
    String vm = transport.createQueue("tasks-vm", QueueOptions.defaults()).join();
    RecordingBurstSwitch burst = new RecordingBurstSwitch();
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(8).slotsPerWorker(2)).vmQueue(vm).burst(burst).build();
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      commands.add(("command " + i).getBytes(StandardCharsets.UTF_8));
    }
    transport.send(vm, commands).join();

    ScalingOutcome vmOnly = step.evaluate();
    assertThat(vmOnly.depth()).isEqualTo(new QueueDepth(6, 0));
    assertThat(vmOnly.launched()).as("6 VM-only tasks, 2 slots a worker").hasSize(3);
    assertThat(vmOnly.burst().action()).as("the functions could not take them").isEqualTo(BurstDecision.Action.STAY);
    assertThat(vmOnly.burst().toString()).isEqualTo("burst stays off: demand 0 tasks within running capacity 0");

    send(4);
    ScalingOutcome both = step.evaluate();
    assertThat(both.depth()).isEqualTo(new QueueDepth(10, 0));
    assertThat(both.launched()).hasSize(2);
    assertThat(both.burst().toString()).isEqualTo("burst on: demand 4 tasks > running capacity 0 while 5 workers boot");
    assertThat(burst.turns()).containsExactly(true);
  }

  @Test
  void aPoolWithoutBurstWorkersReportsNoBurst() {
    ScalingStep step = step(ScalingConfig.builder().maxWorkers(4)).build();
    send(1);
    ScalingOutcome outcome = step.evaluate();
    assertThat(outcome.burst()).isNull();
    assertThat(outcome.summary()).isEqualTo(outcome.decision().toString());
    assertThat(ScalingReport.of(outcome).burst()).isNull();
  }

  private void send(int messages) {
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      bodies.add(("task " + i).getBytes(StandardCharsets.UTF_8));
    }
    transport.send(queue, bodies).join();
  }

  private void drain() {
    List<ReceivedMessage> messages;
    while (!(messages = transport.receive(queue, 10, Duration.ZERO).join()).isEmpty()) {
      transport.ack(queue, messages).join();
    }
  }
}
