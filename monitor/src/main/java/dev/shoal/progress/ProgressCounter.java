package dev.shoal.progress;

import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a run's tasks by where they are, from its events alone: a handful of counters, no
 * per-task state, so it costs nothing that grows with the run.
 */
public final class ProgressCounter implements RunListener {
  private final LongAdder submitted = new LongAdder();
  private final LongAdder launches = new LongAdder();
  private final LongAdder attemptsFailed = new LongAdder();
  private final LongAdder done = new LongAdder();
  private final LongAdder failed = new LongAdder();
  /** Terminal tasks that had been launched: they have left their executor. */
  private final LongAdder launchedAndFinished = new LongAdder();

  @Override
  public void task(TaskEvent event) {
    switch (event.transition()) {
      case SUBMITTED -> submitted.increment();
      case LAUNCHED -> launches.increment();
      case ATTEMPT_FAILED -> attemptsFailed.increment();
      case DONE, FAILED, DEP_FAILED -> {
        (event.transition() == TaskEvent.Transition.DONE ? done : failed).increment();
        if (event.attempt() > 0) {
          launchedAndFinished.increment();
        }
      }
      default -> { }
    }
  }

  /** The counts now; read from several counters, so only roughly consistent while tasks move. */
  public TaskCounts counts() {
    long finishedDone = done.sum();
    long finishedFailed = failed.sum();
    long running = Math.max(0, launches.sum() - attemptsFailed.sum() - launchedAndFinished.sum());
    long all = submitted.sum();
    long waiting = Math.max(0, all - finishedDone - finishedFailed - running);
    return new TaskCounts(all, finishedDone, finishedFailed, running, waiting);
  }
}
