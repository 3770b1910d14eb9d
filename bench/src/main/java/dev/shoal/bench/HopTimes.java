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

  @Override
  public void task(TaskEvent event) {
    byTask.computeIfAbsent(event.taskId(), id -> new EnumMap<>(Transition.class)).put(event.transition(), event.at());
  }

  /** The microseconds of every hop of these tasks, given when each one's join returned. */
  Map<Hop, double[]> hops(List<Long> taskIds, List<Instant> joined) {
    Map<Hop, double[]> micros = new EnumMap<>(Hop.class);
    for (Hop hop : Hop.values()) {
      micros.put(hop, new double[taskIds.size()]);
    }
    for (int i = 0; i < taskIds.size(); i++) {
      Map<Transition, Instant> times = byTask.get(taskIds.get(i));
      if (times == null) {
        throw new IllegalStateException("no events for task " + taskIds.get(i));
      }
      for (Hop hop : Hop.values()) {
        Instant from = required(times, hop.from, taskIds.get(i));
        Instant to = hop.to == null ? joined.get(i) : required(times, hop.to, taskIds.get(i));
        micros.get(hop)[i] = Duration.between(from, to).toNanos() / 1e3;
      }
    }
    return micros;
  }

  private static Instant required(Map<Transition, Instant> times, Transition transition, long taskId) {
    Instant at = times.get(transition);
    if (at == null) {
      throw new IllegalStateException("task " + taskId + " has no " + transition + " event");
    }
    return at;
  }
}
