package dev.shoal.metrics;

import dev.shoal.monitor.QueueSample;
import dev.shoal.monitor.RunListener;
import dev.shoal.monitor.TaskEvent;
import dev.shoal.progress.ProgressCounter;
import dev.shoal.progress.TaskCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a run's metrics to a Micrometer registry:
 * <ul>
 *   <li>{@code shoal.tasks.submitted} and {@code shoal.tasks.finished} (tag {@code state}: done,
 *       failed, dep_failed), {@code shoal.task.attempts.failed}: counters by {@code app} and
 *       {@code executor};
 *   <li>{@code shoal.tasks.active} (tag {@code state}: running, waiting): gauges;
 *   <li>{@code shoal.task.run} (the app's own time, on its worker's clock), {@code shoal.task.latency}
 *       (from launch to result, on the client's): timers by {@code app} and {@code executor}, with
 *       percentile histograms;
 *   <li>{@code shoal.queue.messages} (tag {@code state}: waiting, in_flight) and
 *       {@code shoal.pool.workers}: gauges by {@code executor}, at each scaling tick.
 * </ul>
 * Tags name apps and executors, never tasks, so the number of series stays that of the apps.
 */
public final class RunMetrics implements RunListener {
  private final MeterRegistry registry;
  private final ProgressCounter counter = new ProgressCounter();
  /** Launch time of each attempt out, by task id: what a latency is measured from. */
  private final Map<Long, Instant> launched = new ConcurrentHashMap<>();
  /** Start time reported with a result, until its end is: both come from the same call. */
  private final Map<Long, Instant> started = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> queues = new ConcurrentHashMap<>();

  public RunMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    gauge("running", TaskCounts::running);
    gauge("waiting", TaskCounts::waiting);
  }

  private void gauge(String state, ToDoubleFunction<TaskCounts> value) {
    Gauge.builder("shoal.tasks.active", counter, c -> value.applyAsDouble(c.counts()))
        .tag("state", state).description("tasks handed to an executor and not finished (running), or waiting for inputs")
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }

  @Override
  public void task(TaskEvent event) {
    counter.task(event);
    Tags tags = Tags.of("app", event.app(), "executor", event.executor() == null ? "" : event.executor());
    switch (event.transition()) {
      case SUBMITTED -> Counter.builder("shoal.tasks.submitted").tags(tags).register(registry).increment();
      case LAUNCHED -> launched.put(event.taskId(), event.at());
      case STARTED -> started.put(event.taskId(), event.at());
      case ENDED -> {
        Instant from = started.remove(event.taskId());
        if (from != null) {
          timer("shoal.task.run", "the app's own run time, on its worker", tags).record(nonNegative(from, event.at()));
        }
      }
      case ATTEMPT_FAILED -> {
        Counter.builder("shoal.task.attempts.failed").tags(tags).register(registry).increment();
        launched.remove(event.taskId());
      }
      case DONE, FAILED, DEP_FAILED -> {
        Counter.builder("shoal.tasks.finished").tags(tags.and("state", event.transition().name().toLowerCase(Locale.ROOT)))
            .register(registry).increment();
        Instant from = launched.remove(event.taskId());
        started.remove(event.taskId());
        if (from != null) {
          timer("shoal.task.latency", "from launch to result", tags).record(nonNegative(from, event.at()));
        }
      }
      default -> { }
    }
  }

  private Timer timer(String name, String description, Tags tags) {
    return Timer.builder(name).description(description).tags(tags).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofHours(1)).register(registry);
  }

  // Two clocks may disagree a little: a negative span is a zero one.
  private static Duration nonNegative(Instant from, Instant to) {
    Duration span = Duration.between(from, to);
    return span.isNegative() ? Duration.ZERO : span;
  }

  @Override
  public void queue(QueueSample sample) {
    String executor = sample.executor() == null ? "" : sample.executor();
    AtomicLong[] values = queues.computeIfAbsent(executor, this::registerQueue);
    values[0].set(sample.waiting());
    values[1].set(sample.inFlight());
    values[2].set(sample.workers());
  }

  private AtomicLong[] registerQueue(String executor) {
    AtomicLong[] values = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
    Gauge.builder("shoal.queue.messages", values[0], AtomicLong::get).tags("executor", executor, "state", "waiting")
        .register(registry);
    Gauge.builder("shoal.queue.messages", values[1], AtomicLong::get).tags("executor", executor, "state", "in_flight")
        .register(registry);
    Gauge.builder("shoal.pool.workers", values[2], AtomicLong::get).tags("executor", executor)
        .description("the pool's workers, running and pending").register(registry);
    return values;
  }
}
