package dev.shoal.dispatcher;

import dev.shoal.dispatcher.ScalingDecision.Action;
import dev.shoal.dispatcher.ScalingDecision.Reason;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.WorkerInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides a worker pool's size from its task queue's depth: one pure function (no I/O, no clock),
 * the same in every host (the local loop, a Lambda, an Azure Function).
 *
 * <ul>
 *   <li>Demand is every task queued <em>or in flight</em>: a pool that is busy keeps its size, which
 *       is what stops it from flapping under a steady load.
 *   <li>Scale-out is immediate, to {@code ceil(demand / (slots * target))} workers, bounded by max.
 *       Not by the number of messages: a worker hands back the tasks of a bundle it cannot start
 *       soon, one message each, so more workers than messages find work.
 *   <li>Pending workers count as capacity, so a burst is not launched twice while they boot, and
 *       they are never given up on for being slow (only a host's pending deadline ends them).
 *   <li>Scale-in only after the queue has been empty for the cool-down and no worker is pending;
 *       even then the decision only says so: idle workers leave by themselves (their idle
 *       timeout), so a busy worker is never stopped.
 *   <li>Never below min.
 * </ul>
 */
public final class ScalingPolicy {
  private final ScalingConfig config;

  public ScalingPolicy(ScalingConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public ScalingConfig config() {
    return config;
  }

  public ScalingDecision decide(ScalingInput input) {
    int current = input.currentWorkers();
    long messages = input.messages();
    long needed = (long) Math.ceil(input.demandTasks() / config.capacity(1));
    int wanted = (int) Math.max(config.minWorkers(), Math.min(config.maxWorkers(), needed));

    if (wanted > current) {
      String detail = needed < config.minWorkers() ? "below min " + config.minWorkers()
          : load(input, current, needed, true);
      return new ScalingDecision(wanted, wanted - current,
          new Reason(Action.SCALE_OUT, current, wanted, detail + pending(input)));
    }
    if (wanted == current) {
      String detail = messages == 0 ? "idle for " + brief(input.idleFor())
          : load(input, current, needed, false);
      return hold(current, detail + pending(input));
    }
    // wanted < current from here on.
    if (messages > 0) {
      if (current > config.maxWorkers()) {
        return new ScalingDecision(config.maxWorkers(), 0, new Reason(Action.SCALE_IN, current, config.maxWorkers(),
            "above max " + config.maxWorkers() + "; workers leave by themselves once idle, none is stopped"));
      }
      // Work in flight counts as demand: a busy pool keeps its size (the hysteresis that stops flapping).
      return hold(current, load(input, current, needed, false)
          + "; busy, no scale-in while work is queued or in flight");
    }
    if (input.pendingWorkers() > 0) {
      // A worker that has not registered yet is not abandoned: it registers, finds nothing, and
      // leaves after its own idle timeout; or its host's pending deadline ends it.
      return hold(current, "idle, waiting for " + input.pendingWorkers() + " pending to register");
    }
    if (input.idleFor().compareTo(config.coolDown()) < 0) {
      return hold(current, "idle " + brief(input.idleFor()) + " < cool-down " + brief(config.coolDown()));
    }
    return new ScalingDecision(wanted, 0, new Reason(Action.SCALE_IN, current, wanted,
        "idle " + brief(input.idleFor()) + " >= cool-down " + brief(config.coolDown())
            + "; idle workers leave by themselves, none is stopped"));
  }

  /**
   * Whether the pool's burst workers (functions on the same queue) should run, given the decision
   * just taken for its VMs and the switch's state: on while the backlog is beyond what the
   * <em>running</em> workers hold and workers are still booting (those pending, and those the
   * decision launches now); off again once the running workers hold the demand, or nothing is
   * booting any more (the VMs have arrived: they are cheaper per task, and a pool at its max with a
   * backlog is the VMs' to work off). Functions never count as capacity here: their tasks are in
   * flight, so demand, which keeps the VMs coming while they run.
   *
   * @param state the switch's state as read now; {@link BurstSwitch.State#TURNING} is left alone
   */
  public BurstDecision burst(ScalingInput input, ScalingDecision decision, BurstSwitch.State state) {
    Objects.requireNonNull(state, "state");
    if (state == BurstSwitch.State.TURNING) {
      return new BurstDecision(BurstDecision.Action.LEFT_ALONE, false, "turning; waiting for it to settle");
    }
    boolean on = state == BurstSwitch.State.ON;
    long demand = input.demandTasks();
    double running = config.capacity(input.runningWorkers());
    int booting = input.pendingWorkers() + decision.launch();
    String load = "demand " + demand + (demand == 1 ? " task" : " tasks")
        + (demand > running ? " > running capacity " : " within running capacity ") + number(running);
    boolean wanted = demand > running && booting > 0;
    String detail = wanted ? load + " while " + booting + (booting == 1 ? " worker boots" : " workers boot")
        : demand > running ? load + ", no worker booting"
        : load;
    if (wanted == on) {
      return new BurstDecision(BurstDecision.Action.STAY, on, detail);
    }
    return new BurstDecision(wanted ? BurstDecision.Action.TURN_ON : BurstDecision.Action.TURN_OFF, wanted, detail);
  }

  /**
   * The pending workers that have not started polling within the pending deadline at {@code now}:
   * the ones a host terminates as stuck.
   */
  public List<WorkerInstance> stuck(Collection<WorkerInstance> workers, Instant now) {
    return workers.stream()
        .filter(worker -> worker.state() == WorkerInstance.State.PENDING)
        .filter(worker -> !worker.launchedAt().plus(config.pendingDeadline()).isAfter(now))
        .toList();
  }

  /**
   * The running workers whose last heartbeat is at least the silence limit old at {@code now}:
   * the ones a host terminates as silent (hung, or on a machine that rebooted without them).
   * Workers whose provider reads no heartbeat are never silent.
   */
  public List<WorkerInstance> silent(Collection<WorkerInstance> workers, Instant now) {
    return workers.stream()
        .filter(worker -> worker.state() == WorkerInstance.State.RUNNING && worker.lastSeen() != null)
        .filter(worker -> !worker.lastSeen().plus(config.silenceLimit()).isAfter(now))
        .toList();
  }

  private static ScalingDecision hold(int current, String detail) {
    return new ScalingDecision(current, 0, new Reason(Action.HOLD, current, current, detail));
  }

  /** Demand against the current capacity, and what bounded the answer. */
  private String load(ScalingInput input, int current, long needed, boolean explainCapacity) {
    long demand = input.demandTasks();
    double capacity = config.capacity(current);
    StringBuilder text = new StringBuilder("demand ").append(demand).append(demand == 1 ? " task" : " tasks");
    // The message count only where it differs from the task count, i.e. with bundles.
    if (input.tasksPerMessage() > 1) {
      text.append(" in ").append(input.messages()).append(" messages");
    }
    text.append(demand > capacity ? " > capacity " : " within capacity ").append(number(capacity));
    if (explainCapacity) {
      text.append(" (").append(config.slotsPerWorker()).append(" slots/worker, target ")
          .append(number(config.targetBacklogPerSlot())).append("/slot)");
    }
    if (needed > config.maxWorkers()) {
      text.append(current >= config.maxWorkers() ? ", at max " : ", capped by max ").append(config.maxWorkers());
    }
    return text.toString();
  }

  private static String pending(ScalingInput input) {
    return input.pendingWorkers() > 0 ? "; counting " + input.pendingWorkers() + " pending" : "";
  }

  /** An integer as such, anything else with one decimal (locale-independent, for logs and tests). */
  static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
  }

  /** A duration as {@code 250ms}, {@code 45s} or {@code 59.999s}: short, and never rounded up to a limit. */
  static String brief(Duration duration) {
    long millis = duration.toMillis();
    return millis < 1000 ? millis + "ms"
        : java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
  }
}
