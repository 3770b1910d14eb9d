package dev.shoal.progress;

import dev.shoal.monitor.RunEnd;
import dev.shoal.monitor.RunInfo;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Progress as a log line every so often, for logs a redrawn bar would fill with noise. */
public final class ProgressLog implements RunListener {
  private static final Logger log = LoggerFactory.getLogger(ProgressLog.class);

  private final Duration every;
  private final ProgressCounter counter = new ProgressCounter();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "shoal-progress-log");
    thread.setDaemon(true);
    return thread;
  });
  private volatile String runId = "";
  private TaskCounts last;

  public ProgressLog(Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every must be positive: " + every);
    }
    this.every = every;
  }

  @Override
  public void runStarted(RunInfo run) {
    runId = run.runId();
    timer.scheduleWithFixedDelay(this::report, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void task(TaskEvent event) {
    counter.task(event);
  }

  // Only when something moved: an idle run does not repeat itself every few seconds.
  private synchronized void report() {
    TaskCounts counts = counter.counts();
    if (!counts.equals(last)) {
      log.info("run {}: {}", runId, describe(counts));
      last = counts;
    }
  }

  static String describe(TaskCounts counts) {
    return String.format(java.util.Locale.ROOT, "%,d/%,d done, %,d failed, %,d running, %,d waiting", counts.done(),
        counts.submitted(), counts.failed(), counts.running(), counts.waiting());
  }

  @Override
  public void runEnded(RunEnd end) {
    timer.shutdownNow();
    log.info("run {}: {}", runId, describe(counter.counts()));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
