package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import dev.shoal.dispatcher.ScalingDecision.Action;
import dev.shoal.dispatcher.ScalingDecision.Reason;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.ReceivedMessage;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.testing.Await;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The local host against a real in-memory queue and a recording provider. The tick is an hour, so
 * every evaluation after the first is one the test asked for with a nudge; the clock only moves
 * when the test moves it.
 */
class LocalAutoscalerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ManualClock clock = new ManualClock();
  private final RecordingComputeProvider provider = new RecordingComputeProvider(clock);
  private final FlakyTransport transport = new FlakyTransport();
  private final List<ScalingDecision> decisions = new CopyOnWriteArrayList<>();
  private final List<List<WorkerInstance>> stuck = new CopyOnWriteArrayList<>();
  private String queue;
  private LocalAutoscaler scaler;

  @BeforeEach
  void createQueue() {
    queue = transport.createQueue("tasks", QueueOptions.defaults()).join();
  }

  @AfterEach
  void close() {
    if (scaler != null) {
      scaler.close();
    }
    transport.close();
  }

  @Test
  void startsTheMinimumAtOnceAndDoesNotLaunchAgainWhileItBoots() {
    start(ScalingConfig.builder().minWorkers(2).maxWorkers(4), "tasks");

    assertThat(decisions.get(0).reason()).isEqualTo(new Reason(Action.SCALE_OUT, 0, 2, "below min 2"));
    for (int i = 0; i < 3; i++) {
      assertThat(evaluateNow().action()).isEqualTo(Action.HOLD);
    }
    assertThat(provider.launches()).containsExactly(2);
  }

  @Test
  void aBurstIsDecidedOnANudgeAndPendingWorkersAreNotLaunchedTwice() {
    start(ScalingConfig.builder().maxWorkers(4).slotsPerWorker(2), queue);
    assertThat(decisions.get(0).action()).isEqualTo(Action.HOLD);

    send(5);
    ScalingDecision burst = evaluateNow();

    assertThat(burst.launch()).as("%s", burst).isEqualTo(3);
    assertThat(provider.launchedTotal()).isEqualTo(3);
    assertThat(evaluateNow().reason().toString()).isEqualTo(
        "hold 3: demand 5 tasks within capacity 6; counting 3 pending");
    provider.registerAll();
    receive(2);
    assertThat(evaluateNow().action()).isEqualTo(Action.HOLD);
    assertThat(provider.launches()).containsExactly(3);
  }

  @Test
  void theTasksPerMessageEstimateScalesTheDemand() {
    scaler = builder(ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4), queue).tasksPerMessage(() -> 2).build();
    startAndAwaitFirstDecision();

    send(3);

    assertThat(evaluateNow().reason().toString()).startsWith("scale out 0 -> 2: demand 6 tasks in 3 messages");
  }

  @Test
  void idleCapacityIsReleasedAfterTheCoolDownAndNobodyIsStopped() {
    start(ScalingConfig.builder().minWorkers(1).maxWorkers(4).coolDown(Duration.ofSeconds(60)), queue);
    send(4);
    assertThat(evaluateNow().launch()).isEqualTo(3);
    provider.registerAll();
    receive(4).forEach(message -> transport.ack(queue, List.of(message)).join());

    assertThat(evaluateNow().reason().toString()).isEqualTo("hold 4: idle 0ms < cool-down 60s");
    clock.advance(Duration.ofSeconds(59));
    assertThat(evaluateNow().action()).isEqualTo(Action.HOLD);
    clock.advance(Duration.ofSeconds(1));
    ScalingDecision release = evaluateNow();

    assertThat(release.reason()).isEqualTo(new Reason(Action.SCALE_IN, 4, 1,
        "idle 60s >= cool-down 60s; idle workers leave by themselves, none is stopped"));
    assertThat(release.launch()).isZero();
    // Workers leave by their own idle timeout; the autoscaler neither stops them nor replaces them.
    List<String> ids = provider.ids();
    ids.subList(0, 3).forEach(provider::exit);
    assertThat(evaluateNow().desiredWorkers()).isEqualTo(1);
    provider.exit(ids.get(3));
    assertThat(evaluateNow().reason().toString()).isEqualTo("scale out 0 -> 1: below min 1");
    assertThat(provider.terminated()).isEmpty();
  }

  @Test
  void aWorkerThatNeverStartsPollingIsTerminatedOnceAndReplaced() {
    start(ScalingConfig.builder().maxWorkers(4).pendingDeadline(Duration.ofMinutes(2)), queue);
    send(1);
    assertThat(evaluateNow().launch()).isEqualTo(1);
    String slow = provider.ids().get(0);

    clock.advance(Duration.ofSeconds(119));
    assertThat(evaluateNow().action()).as("not given up on before its deadline").isEqualTo(Action.HOLD);
    assertThat(provider.terminated()).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    ScalingDecision replaced = evaluateNow();

    assertThat(provider.terminated()).containsExactly(slow);
    assertThat(stuck).singleElement().satisfies(workers ->
        assertThat(workers).extracting(WorkerInstance::id).containsExactly(slow));
    assertThat(replaced.launch()).as("%s", replaced).isEqualTo(1);
    // Still listed while it dies: neither terminated twice nor counted again.
    assertThat(provider.ids()).contains(slow);
    assertThat(evaluateNow().action()).isEqualTo(Action.HOLD);
    provider.exit(slow);
    assertThat(evaluateNow().action()).isEqualTo(Action.HOLD);
    assertThat(provider.terminated()).containsExactly(slow);
    assertThat(provider.launches()).containsExactly(1, 1);
  }

  @Test
  void nudgesNeverBlockTheCallerWhileAnEvaluationIsStuck() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch listing = provider.blockNextList(gate);
    scaler = builder(ScalingConfig.builder().maxWorkers(4), queue).build();
    scaler.start();
    await(() -> listing.getCount() == 0, "the first evaluation to reach the provider");

    send(2);
    assertTimeoutPreemptively(WAIT, () -> {
      for (int i = 0; i < 10_000; i++) {
        scaler.nudge();
      }
    });
    gate.countDown();

    // The stuck evaluation read the queue before the burst; the folded nudge reads it after.
    await(() -> provider.launchedTotal() == 2, "the nudged evaluation to launch for the burst");
  }

  @Test
  void aQueueThatCannotBeReadHoldsThePoolAndTheLoopCarriesOn() {
    start(ScalingConfig.builder().maxWorkers(4), queue);
    transport.failDepth(true);
    int reads = transport.depthReads();

    scaler.nudge();
    await(() -> transport.depthReads() > reads, "a failed depth read");
    scaler.nudge();
    await(() -> transport.depthReads() > reads + 1, "another evaluation after the failure");
    assertThat(provider.launches()).isEmpty();

    transport.failDepth(false);
    send(3);
    assertThat(evaluateNow().launch()).isEqualTo(3);
  }

  @Test
  void startFailsClearlyWithoutTheTaskQueue() {
    scaler = builder(ScalingConfig.builder(), "no-such-queue").build();

    assertThatThrownBy(scaler::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-such-queue");
  }

  @Test
  void closeStopsTheLoopAndClosesTheProviderItOwns() {
    scaler = builder(ScalingConfig.builder().minWorkers(1), queue).closeProvider(true).build();
    startAndAwaitFirstDecision();

    scaler.close();
    scaler.nudge();

    assertThat(provider.closed()).isTrue();
    assertThatThrownBy(scaler::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void logsLaunchesAndTheFirstScaleInToASizeButNotHoldsOrRepeats() {
    ScalingDecision launch = new ScalingDecision(2, 2, new Reason(Action.SCALE_OUT, 0, 2, "x"));
    ScalingDecision hold = new ScalingDecision(2, 0, new Reason(Action.HOLD, 2, 2, "x"));
    ScalingDecision in = new ScalingDecision(0, 0, new Reason(Action.SCALE_IN, 2, 0, "x"));
    ScalingDecision stillIn = new ScalingDecision(0, 0, new Reason(Action.SCALE_IN, 1, 0, "x"));

    assertThat(LocalAutoscaler.worthLogging(null, launch)).isTrue();
    assertThat(LocalAutoscaler.worthLogging(launch, hold)).isFalse();
    assertThat(LocalAutoscaler.worthLogging(hold, in)).isTrue();
    assertThat(LocalAutoscaler.worthLogging(in, stillIn)).isFalse();
  }

  private LocalAutoscaler.Builder builder(ScalingConfig.Builder config, String taskQueue) {
    return LocalAutoscaler.builder()
        .transport(transport)
        .taskQueue(taskQueue)
        .provider(provider)
        .config(config.build())
        .tick(Duration.ofHours(1))
        .clock(clock)
        .listener(new LocalAutoscaler.Listener() {
          @Override
          public void decided(ScalingDecision decision) {
            decisions.add(decision);
          }

          @Override
          public void terminatedStuck(List<WorkerInstance> workers) {
            stuck.add(workers);
          }
        });
  }

  private void start(ScalingConfig.Builder config, String taskQueue) {
    scaler = builder(config, taskQueue).build();
    startAndAwaitFirstDecision();
  }

  private void startAndAwaitFirstDecision() {
    scaler.start();
    await(() -> !decisions.isEmpty(), "the first evaluation");
  }

  /** Nudges, and returns the decision of the evaluation that follows. */
  private ScalingDecision evaluateNow() {
    int before = decisions.size();
    scaler.nudge();
    await(() -> decisions.size() > before, "an evaluation after a nudge");
    return decisions.get(decisions.size() - 1);
  }

  private void send(int messages) {
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      bodies.add(("task " + i).getBytes(StandardCharsets.UTF_8));
    }
    transport.send(queue, bodies).join();
  }

  private List<ReceivedMessage> receive(int messages) {
    List<ReceivedMessage> received = new ArrayList<>();
    while (received.size() < messages) {
      List<ReceivedMessage> batch = transport.receive(queue, messages - received.size(), Duration.ofSeconds(5)).join();
      if (batch.isEmpty()) {
        fail("expected " + messages + " messages in " + queue + ", got " + received.size());
      }
      received.addAll(batch);
    }
    return received;
  }

  private static void await(BooleanSupplier condition, String what) {
    Await.until(WAIT, condition, () -> what);
  }
}
