package dev.shoal.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.dispatcher.ScalingDecision.Action;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.WorkerInstance.State;
import dev.shoal.spi.WorkerInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScalingPolicyTest {
  private static final Duration COOL_DOWN = Duration.ofSeconds(60);
  /** 0..4 workers of 4 slots, one task per slot, a minute's cool-down. */
  private static final ScalingConfig BASE = ScalingConfig.builder()
      .minWorkers(0).maxWorkers(4).slotsPerWorker(4).targetBacklogPerSlot(1).coolDown(COOL_DOWN).build();

  /** One row of the table: a pool and its queue, and what the policy must decide. */
  record Case(String name, ScalingConfig config, ScalingInput input, Action action, int desired, int launch,
      String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static ScalingInput queue(long visible, long inFlight, int running, int pending, Duration idleFor) {
    return new ScalingInput(visible, inFlight, 1, running, pending, idleFor);
  }

  static Stream<Case> decisions() {
    ScalingConfig minTwo = ScalingConfig.builder().minWorkers(2).maxWorkers(4).slotsPerWorker(4).coolDown(COOL_DOWN)
        .build();
    ScalingConfig wide = ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4).coolDown(COOL_DOWN).build();
    return Stream.of(
        new Case("scale out from 0 to cover the backlog", BASE, queue(8, 0, 0, 0, Duration.ZERO),
            Action.SCALE_OUT, 2, 2,
            "scale out 0 -> 2: demand 8 tasks > capacity 0 (4 slots/worker, target 1/slot)"),
        new Case("scale out capped at max", BASE, queue(37, 0, 0, 0, Duration.ZERO),
            Action.SCALE_OUT, 4, 4,
            "scale out 0 -> 4: demand 37 tasks > capacity 0 (4 slots/worker, target 1/slot), capped by max 4"),
        new Case("scale out adds only the difference to running workers", BASE, queue(5, 6, 2, 0, Duration.ZERO),
            Action.SCALE_OUT, 3, 1, "scale out 2 -> 3: demand 11 tasks > capacity 8"),
        new Case("pending workers are counted: no second launch on the next tick", BASE,
            queue(8, 0, 0, 2, Duration.ZERO), Action.HOLD, 2, 0,
            "hold 2: demand 8 tasks within capacity 8; counting 2 pending"),
        new Case("pending workers are counted when a burst grows", BASE, queue(16, 0, 0, 2, Duration.ZERO),
            Action.SCALE_OUT, 4, 2, "scale out 2 -> 4: demand 16 tasks > capacity 8 (4 slots/worker, target 1/slot); "
                + "counting 2 pending"),
        new Case("slow-booting pending workers are not replaced, even at max with a backlog", BASE,
            queue(100, 0, 0, 4, Duration.ZERO), Action.HOLD, 4, 0, "at max 4; counting 4 pending"),
        new Case("pending workers are not abandoned when the queue empties", BASE,
            queue(0, 0, 1, 3, Duration.ofMinutes(10)), Action.HOLD, 4, 0,
            "hold 4: idle, waiting for 3 pending to register"),
        new Case("min kept with an empty queue", minTwo, queue(0, 0, 0, 0, Duration.ZERO),
            Action.SCALE_OUT, 2, 2, "scale out 0 -> 2: below min 2"),
        new Case("min kept when idle capacity is released", minTwo, queue(0, 0, 4, 0, Duration.ofMinutes(10)),
            Action.SCALE_IN, 2, 0, "scale in 4 -> 2: idle 600s >= cool-down 60s"),
        new Case("idle capacity released after the cool-down, nobody stopped", BASE,
            queue(0, 0, 4, 0, COOL_DOWN), Action.SCALE_IN, 0, 0,
            "scale in 4 -> 0: idle 60s >= cool-down 60s; idle workers leave by themselves, none is stopped"),
        new Case("idle capacity not released before the cool-down", BASE,
            queue(0, 0, 4, 0, COOL_DOWN.minusMillis(1)), Action.HOLD, 4, 0, "hold 4: idle 59.999s < cool-down 60s"),
        new Case("a busy pool keeps its size: in-flight work is demand", BASE, queue(0, 3, 4, 0, Duration.ZERO),
            Action.HOLD, 4, 0, "busy, no scale-in while work is queued or in flight"),
        new Case("a small backlog the current capacity covers launches nothing", BASE,
            queue(3, 4, 2, 0, Duration.ZERO), Action.HOLD, 2, 0, "hold 2: demand 7 tasks within capacity 8"),
        new Case("an empty pool at min 0 stays empty", BASE, queue(0, 0, 0, 0, Duration.ofHours(1)),
            Action.HOLD, 0, 0, "hold 0: idle for 3600s"),
        new Case("bundle-aware: tasks per message multiply the demand", wide,
            new ScalingInput(5, 1, 4, 1, 0, Duration.ZERO), Action.SCALE_OUT, 6, 5,
            "scale out 1 -> 6: demand 24 tasks in 6 messages > capacity 4"),
        new Case("bundle-aware: more workers than messages, since workers hand back what they cannot start soon",
            wide, new ScalingInput(3, 0, 100, 0, 0, Duration.ZERO), Action.SCALE_OUT, 10, 10,
            "demand 300 tasks in 3 messages > capacity 0 (4 slots/worker, target 1/slot), capped by max 10"),
        new Case("a target of 2 tasks per slot needs half the workers",
            ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4).targetBacklogPerSlot(2).build(),
            queue(32, 0, 0, 0, Duration.ZERO), Action.SCALE_OUT, 4, 4,
            "scale out 0 -> 4: demand 32 tasks > capacity 0 (4 slots/worker, target 2/slot)"),
        new Case("above max after a reconfiguration: shrink, but stop nobody", BASE, queue(10, 10, 6, 0, Duration.ZERO),
            Action.SCALE_IN, 4, 0, "scale in 6 -> 4: above max 4; workers leave by themselves once idle"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decides(Case row) {
    ScalingDecision decision = new ScalingPolicy(row.config()).decide(row.input());

    assertThat(decision.action()).as("action of %s", decision).isEqualTo(row.action());
    assertThat(decision.desiredWorkers()).as("desired of %s", decision).isEqualTo(row.desired());
    assertThat(decision.launch()).as("launch of %s", decision).isEqualTo(row.launch());
    assertThat(decision.toString()).contains(row.reason());
  }

  /** One row of the burst's table: the switch's state, the queue and pool, and what must become of the burst. */
  record BurstCase(String name, BurstSwitch.State state, ScalingInput input, BurstDecision.Action action,
      boolean on, String reason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<BurstCase> bursts() {
    BurstSwitch.State off = BurstSwitch.State.OFF;
    BurstSwitch.State on = BurstSwitch.State.ON;
    return Stream.of(
        new BurstCase("a backlog on an empty pool turns it on while the launched workers boot", off,
            queue(8, 0, 0, 0, Duration.ZERO), BurstDecision.Action.TURN_ON, true,
            "burst on: demand 8 tasks > running capacity 0 while 2 workers boot"),
        new BurstCase("a backlog beyond the running workers while others are pending turns it on", off,
            queue(30, 2, 1, 3, Duration.ZERO), BurstDecision.Action.TURN_ON, true,
            "burst on: demand 32 tasks > running capacity 4 while 3 workers boot"),
        new BurstCase("it stays on while the workers still boot", on, queue(20, 10, 0, 4, Duration.ZERO),
            BurstDecision.Action.STAY, true, "burst stays on: demand 30 tasks > running capacity 0 while 4 workers boot"),
        new BurstCase("off once the running workers hold the demand, though some still boot", on,
            queue(2, 6, 2, 2, Duration.ZERO), BurstDecision.Action.TURN_OFF, false,
            "burst off: demand 8 tasks within running capacity 8"),
        new BurstCase("off once nothing boots: the workers have arrived, even with a backlog at max", on,
            queue(100, 16, 4, 0, Duration.ZERO), BurstDecision.Action.TURN_OFF, false,
            "burst off: demand 116 tasks > running capacity 16, no worker booting"),
        new BurstCase("off when the functions drained the queue before the workers arrived", on,
            queue(0, 0, 0, 2, Duration.ofSeconds(3)), BurstDecision.Action.TURN_OFF, false,
            "burst off: demand 0 tasks within running capacity 0"),
        new BurstCase("a backlog the running workers hold never turns it on", off, queue(3, 4, 2, 0, Duration.ZERO),
            BurstDecision.Action.STAY, false, "burst stays off: demand 7 tasks within running capacity 8"),
        new BurstCase("a backlog at max with every worker running does not turn it on", off,
            queue(100, 16, 4, 0, Duration.ZERO), BurstDecision.Action.STAY, false,
            "burst stays off: demand 116 tasks > running capacity 16, no worker booting"),
        new BurstCase("an idle pool keeps it off", off, queue(0, 0, 0, 0, Duration.ofMinutes(5)),
            BurstDecision.Action.STAY, false, "burst stays off: demand 0 tasks within running capacity 0"),
        new BurstCase("a switch still turning is left alone", BurstSwitch.State.TURNING,
            queue(50, 0, 0, 4, Duration.ZERO), BurstDecision.Action.LEFT_ALONE, false,
            "burst left alone: turning; waiting for it to settle"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bursts")
  void decidesTheBurst(BurstCase row) {
    ScalingPolicy policy = new ScalingPolicy(BASE);
    BurstDecision burst = policy.burst(row.input(), policy.decide(row.input()), row.state());

    assertThat(burst.action()).as("action of %s", burst).isEqualTo(row.action());
    assertThat(burst.on()).as("on of %s", burst).isEqualTo(row.on());
    assertThat(burst.changes()).isEqualTo(row.action() == BurstDecision.Action.TURN_ON
        || row.action() == BurstDecision.Action.TURN_OFF);
    assertThat(burst.toString()).isEqualTo(row.reason());
  }

  /** Ticks of a burst: on with the launch, on while the workers boot, off once they poll, off while they work. */
  @Test
  void theBurstCoversTheBootAndHandsOverOnce() {
    ScalingPolicy policy = new ScalingPolicy(BASE);
    List<ScalingInput> ticks = List.of(
        queue(40, 0, 0, 0, Duration.ZERO),   // the burst arrives: 4 workers launched
        queue(20, 10, 0, 4, Duration.ZERO),  // functions take some while the VMs boot
        queue(10, 10, 0, 4, Duration.ZERO),
        queue(6, 16, 4, 0, Duration.ZERO),   // the VMs poll
        queue(0, 14, 4, 0, Duration.ZERO),
        queue(0, 3, 4, 0, Duration.ZERO));
    BurstSwitch.State state = BurstSwitch.State.OFF;
    List<BurstDecision.Action> actions = new ArrayList<>();
    for (ScalingInput tick : ticks) {
      BurstDecision burst = policy.burst(tick, policy.decide(tick), state);
      actions.add(burst.action());
      state = burst.on() ? BurstSwitch.State.ON : BurstSwitch.State.OFF;
    }
    assertThat(actions).containsExactly(BurstDecision.Action.TURN_ON, BurstDecision.Action.STAY,
        BurstDecision.Action.STAY, BurstDecision.Action.TURN_OFF, BurstDecision.Action.STAY, BurstDecision.Action.STAY);
  }

  /** A scenario over several ticks: workers launched on one tick have registered by the next. */
  record Scenario(String name, ScalingConfig config, int running, List<ScalingInput> ticks, List<Integer> sizes,
      int launched) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<ScalingInput> repeat(int times, ScalingInput... pattern) {
    List<ScalingInput> ticks = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      ticks.addAll(List.of(pattern));
    }
    return ticks;
  }

  static Stream<Scenario> scenarios() {
    ScalingConfig wide = ScalingConfig.builder().maxWorkers(10).slotsPerWorker(4).coolDown(COOL_DOWN).build();
    return Stream.of(
        new Scenario("a constant backlog from an empty pool: one launch, then a constant size", wide, 0,
            repeat(8, queue(12, 0, 0, 0, Duration.ZERO)), List.of(3, 3, 3, 3, 3, 3, 3, 3), 3),
        new Scenario("a steady load drained and refilled within the cool-down does not flap", wide, 3,
            repeat(5, queue(4, 8, 0, 0, Duration.ZERO), queue(0, 0, 0, 0, Duration.ofSeconds(5))),
            List.of(3, 3, 3, 3, 3, 3, 3, 3, 3, 3), 0),
        new Scenario("a pool whose queue holds only in-flight work keeps its size", wide, 4,
            repeat(6, queue(0, 16, 0, 0, Duration.ZERO), queue(0, 2, 0, 0, Duration.ZERO)),
            List.of(4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4), 0),
        new Scenario("a backlog wobbling inside the capacity launches nothing", wide, 3,
            repeat(4, queue(2, 8, 0, 0, Duration.ZERO), queue(0, 12, 0, 0, Duration.ZERO), queue(1, 5, 0, 0,
                Duration.ZERO)), List.of(3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3), 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void doesNotFlap(Scenario scenario) {
    ScalingPolicy policy = new ScalingPolicy(scenario.config());
    int running = scenario.running();
    int pending = 0;
    int launched = 0;
    List<Integer> sizes = new ArrayList<>();
    for (ScalingInput tick : scenario.ticks()) {
      ScalingInput input = new ScalingInput(tick.visibleMessages(), tick.inFlightMessages(), tick.tasksPerMessage(),
          running, pending, tick.idleFor());
      ScalingDecision decision = policy.decide(input);
      // What was pending registers by the next tick; what is launched now is pending then.
      running += pending;
      pending = decision.launch();
      launched += decision.launch();
      sizes.add(running + pending);
    }
    assertThat(sizes).isEqualTo(scenario.sizes());
    assertThat(launched).isEqualTo(scenario.launched());
  }

  @Test
  void workersPendingPastTheDeadlineAreStuckAndOthersAreNot() {
    ScalingPolicy policy = new ScalingPolicy(ScalingConfig.builder().pendingDeadline(Duration.ofMinutes(2)).build());
    Instant now = Instant.parse("2030-01-01T00:10:00Z");
    WorkerInstance stuck = new WorkerInstance("stuck", State.PENDING, now.minus(Duration.ofMinutes(2)));
    WorkerInstance booting = new WorkerInstance("booting", State.PENDING, now.minus(Duration.ofSeconds(119)));
    WorkerInstance oldButRunning = new WorkerInstance("old", State.RUNNING, now.minus(Duration.ofHours(1)));

    assertThat(policy.stuck(List.of(stuck, booting, oldButRunning), now)).containsExactly(stuck);
  }

  @Test
  void runningWorkersWhoseLastHeartbeatIsTheSilenceLimitOldAreSilentAndOthersAreNot() {
    ScalingPolicy policy = new ScalingPolicy(ScalingConfig.builder().silenceLimit(Duration.ofMinutes(5)).build());
    Instant now = Instant.parse("2030-01-01T01:00:00Z");
    Instant launched = now.minus(Duration.ofHours(1));
    WorkerInstance silent = new WorkerInstance("silent", State.RUNNING, launched, now.minus(Duration.ofMinutes(5)));
    WorkerInstance alive = new WorkerInstance("alive", State.RUNNING, launched,
        now.minus(Duration.ofMinutes(5)).plusSeconds(1));
    // A provider that reads no heartbeat cannot tell: never silent.
    WorkerInstance unknown = new WorkerInstance("unknown", State.RUNNING, launched);
    // Pending ones are the pending deadline's business.
    WorkerInstance pending = new WorkerInstance("pending", State.PENDING, launched, launched);

    assertThat(policy.silent(List.of(silent, alive, unknown, pending), now)).containsExactly(silent);
  }

  @Test
  void inputCountsRunningAndPendingWorkersOfAListing() {
    Instant t = Instant.EPOCH;
    ScalingInput input = ScalingInput.of(new dev.shoal.spi.QueueDepth(3, 2), 2.5,
        List.of(new WorkerInstance("a", State.RUNNING, t), new WorkerInstance("b", State.PENDING, t),
            new WorkerInstance("c", State.RUNNING, t)), Duration.ZERO);

    assertThat(input.runningWorkers()).isEqualTo(2);
    assertThat(input.pendingWorkers()).isEqualTo(1);
    assertThat(input.demandTasks()).isEqualTo(13);
  }

  @Test
  void rejectsConfigsAndInputsThatMakeNoSense() {
    assertThatThrownBy(() -> ScalingConfig.builder().minWorkers(5).maxWorkers(4).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWorkers");
    assertThatThrownBy(() -> ScalingConfig.builder().targetBacklogPerSlot(Double.NaN).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetBacklogPerSlot");
    assertThatThrownBy(() -> ScalingConfig.builder().silenceLimit(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("silenceLimit");
    assertThatThrownBy(() -> new ScalingInput(1, 0, 0.5, 0, 0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tasksPerMessage");
    assertThatThrownBy(() -> new ScalingInput(1, 0, 1, 0, 0, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleFor");
  }
}
