package dev.shoal.bench;

import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.monitor.TaskEvent.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a sequential task's round trip goes, from the run's own events: each task's transitions
 * (the client's clock for SUBMITTED, QUEUED and DONE, the worker's for RECEIVED, STARTED and
 * ENDED: one machine, one clock) and the moment the caller's {@code join} returned, split into the
 * hops between them. Meant for one task at a time: with many in flight, the hops overlap.
 */
final class HopTimes implements RunListener {
  /** The hops, in order, as the transition each one ends with; {@code null} ends at the caller. */
  enum Hop {
    CLIENT_SEND("call to queued: the kernel, encoding, the SQS send returning", Transition.SUBMITTED, Transition.QUEUED),
    QUEUE_TO_WORKER("queued to received: the worker's long poll answering", Transition.QUEUED, Transition.RECEIVED),
    WORKER_INTAKE("received to started: decoding, a slot taking it", Transition.RECEIVED, Transition.STARTED),
    APP("started to ended: the no-op app", Transition.STARTED, Transition.ENDED),
    REPLY("ended to done: the result sent, the client's poll answering, decoding", Transition.ENDED, Transition.DONE),
    CALLER("done to join returning: the hand-off to the caller's thread", Transition.DONE, null);

    final String meaning;
    final Transition from;
    final Transition to;

    Hop(String meaning, Transition from, Transition to) {
      this.meaning = meaning;
      this.from = from;
      this.to = to;
    }
  }

  private final Map<Long, Map<Transition, Instant>> byTask = new ConcurrentHashMap<>();
  private int incomplete;

  @Override
  public void task(TaskEvent event) {
    // A task's events come from several threads (the sender's completion, the reply consumer).
    Map<Transition, Instant> times = byTask.computeIfAbsent(event.taskId(), id -> new EnumMap<>(Transition.class));
    synchronized (times) {
      times.put(event.transition(), event.at());
    }
  }

  /**
   * The microseconds of every hop of these tasks, given when each one's join returned. A task
   * whose result came back before its send's completion was handled has no QUEUED event (the
   * executor reports QUEUED only for a task still in flight) and is left out; {@link #incomplete}
   * counts them.
   */
  Map<Hop, double[]> hops(List<Long> taskIds, List<Instant> joined) {
    Map<Hop, List<Double>> micros = new EnumMap<>(Hop.class);
    for (Hop hop : Hop.values()) {
      micros.put(hop, new java.util.ArrayList<>());
    }
    incomplete = 0;
    for (int i = 0; i < taskIds.size(); i++) {
      Map<Transition, Instant> found = byTask.get(taskIds.get(i));
      if (found == null) {
        throw new IllegalStateException("no events for task " + taskIds.get(i));
      }
      Map<Transition, Instant> times;
      synchronized (found) {
        times = new EnumMap<>(found);
      }
      if (!times.keySet().containsAll(List.of(Transition.SUBMITTED, Transition.QUEUED, Transition.RECEIVED,
          Transition.STARTED, Transition.ENDED, Transition.DONE))) {
        incomplete++;
        continue;
      }
      for (Hop hop : Hop.values()) {
        Instant to = hop.to == null ? joined.get(i) : times.get(hop.to);
        micros.get(hop).add(Duration.between(times.get(hop.from), to).toNanos() / 1e3);
      }
    }
    Map<Hop, double[]> arrays = new EnumMap<>(Hop.class);
    micros.forEach((hop, values) -> arrays.put(hop, values.stream().mapToDouble(Double::doubleValue).toArray()));
    return arrays;
  }

  /** How many tasks the last {@link #hops} call left out for a missing event. */
  int incomplete() {
    return incomplete;
  }
}
