package dev.shoal;

import dev.shoal.internal.codec.JsonCodec;
import dev.shoal.monitor.QueueSample;
import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.ScalingEvent;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.monitor.TaskEvent.Transition;
import dev.shoal.monitor.WorkerEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's side of monitoring: turns what happens to tasks into {@link TaskEvent}s and hands
 * them, and whatever executors report, to the run's listeners. A run without listeners pays one
 * branch per transition and builds no event.
 */
final class RunEvents implements RunListener {
  private static final Logger log = LoggerFactory.getLogger(RunEvents.class);

  private final String runId;
  private final JsonCodec codec;
  private final List<RunListener> listeners;
  private final boolean active;
  private final boolean digests;
  /** Listeners that failed once: warned about once, then at debug level, so a broken one cannot flood the log. */
  private final Set<RunListener> failing = ConcurrentHashMap.newKeySet();

  RunEvents(String runId, JsonCodec codec, List<RunListener> listeners) {
    this.runId = runId;
    this.codec = codec;
    this.listeners = List.copyOf(listeners);
    this.active = !this.listeners.isEmpty();
    this.digests = this.listeners.stream().anyMatch(RunListener::wantsArgumentDigests);
  }

  boolean active() {
    return active;
  }

  void submitted(Task task, Object[] args) {
    if (active) {
      emit(task, 0, Transition.SUBMITTED, Instant.now(), null, null, dependsOn(args), null);
    }
  }

  /** A launch, with the digest of the resolved arguments (the memo key where the app memoizes). */
  void launched(Task task) {
    if (active) {
      emit(task, task.attempt(), Transition.LAUNCHED, Instant.now(), null, null, null,
          digests ? argumentsDigest(task) : task.memoKey());
    }
  }

  private String argumentsDigest(Task task) {
    String key = task.memoKey();
    if (key != null) {
      return key;
    }
    Object[] args = task.args();
    if (args == null) {
      return null;
    }
    try {
      return codec.digest(task.app.name(), task.app.version(), args);
    } catch (RuntimeException e) {
      // Arguments that do not encode fail the task on its executor, which says why; no digest here.
      return null;
    }
  }

  void queued(Task task, String queue) {
    if (active) {
      emit(task, task.attempt(), Transition.QUEUED, Instant.now(), null, null, null, queue);
    }
  }

  /** Where and when an attempt ran, as its executor reports it; any of the times may be unknown. */
  void ranOn(Task task, String worker, Instant received, Instant started, Instant ended) {
    if (!active) {
      return;
    }
    if (received != null) {
      emit(task, task.attempt(), Transition.RECEIVED, received, worker, null, null, null);
    }
    if (started != null) {
      emit(task, task.attempt(), Transition.STARTED, started, worker, null, null, null);
    }
    if (ended != null) {
      emit(task, task.attempt(), Transition.ENDED, ended, worker, null, null, null);
    }
  }

  void attemptFailed(Task task, int attempt, Throwable error) {
    if (active) {
      emit(task, attempt, Transition.ATTEMPT_FAILED, Instant.now(), null, describe(error), null, null);
    }
  }

  void finished(Task task, TaskState state, Throwable error, String detail) {
    if (!active) {
      return;
    }
    Transition transition = switch (state) {
      case DONE -> Transition.DONE;
      case DEP_FAILED -> Transition.DEP_FAILED;
      default -> Transition.FAILED;
    };
    emit(task, task.attempt(), transition, Instant.now(), null, error == null ? null : describe(error), null, detail);
  }

  private void emit(Task task, int attempt, Transition transition, Instant at, String worker, String error,
      List<Long> dependsOn, String detail) {
    task(new TaskEvent(runId, task.id, task.app.name(), task.executor.label(), attempt, transition, at, worker, error,
        dependsOn, detail));
  }

  /** The tasks whose futures are among the arguments, in order, each once. */
  private static List<Long> dependsOn(Object[] args) {
    Set<Long> ids = null;
    for (Object arg : args) {
      if (arg instanceof AppFuture<?> input) {
        ids = add(ids, input.taskId());
      } else if (arg instanceof Arg.All<?> all) {
        for (Object element : all.elements()) {
          if (element instanceof AppFuture<?> input) {
            ids = add(ids, input.taskId());
          }
        }
      }
    }
    return ids == null ? List.of() : new ArrayList<>(ids);
  }

  private static Set<Long> add(Set<Long> ids, long id) {
    Set<Long> to = ids == null ? new LinkedHashSet<>() : ids;
    to.add(id);
    return to;
  }

  /** An error as one line: its type and message, the type alone when it has none. */
  static String describe(Throwable error) {
    String message = error.getMessage();
    String type = error.getClass().getName();
    return message == null || message.isBlank() ? type : type + ": " + message.replace('\n', ' ');
  }

  @Override
  public void runStarted(RunInfo run) {
    for (RunListener listener : listeners) {
      try {
        listener.runStarted(run);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  @Override
  public void task(TaskEvent event) {
    for (RunListener listener : listeners) {
      try {
        listener.task(event);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  @Override
  public void worker(WorkerEvent event) {
    for (RunListener listener : listeners) {
      try {
        listener.worker(event);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  @Override
  public void scaling(ScalingEvent event) {
    for (RunListener listener : listeners) {
      try {
        listener.scaling(event);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  @Override
  public void queue(QueueSample sample) {
    for (RunListener listener : listeners) {
      try {
        listener.queue(sample);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  @Override
  public void runEnded(RunEnd end) {
    for (RunListener listener : listeners) {
      try {
        listener.runEnded(end);
      } catch (RuntimeException e) {
        failed(listener, e);
      }
    }
  }

  /** Closes every listener, each whatever the others do. */
  @Override
  public void close() {
    for (RunListener listener : listeners) {
      try {
        listener.close();
      } catch (RuntimeException e) {
        log.warn("run {}: closing monitor {} failed: {}", runId, listener, e.toString(), e);
      }
    }
  }

  private void failed(RunListener listener, RuntimeException e) {
    if (failing.add(listener)) {
      log.warn("run {}: monitor {} failed (further failures at debug level): {}", runId, listener, e.toString(), e);
    } else {
      log.debug("run {}: monitor {} failed again: {}", runId, listener, e.toString());
    }
  }
}
