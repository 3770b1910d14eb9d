package dev.shoal.monitoring;

import dev.shoal.metrics.PrometheusEndpoint;
import dev.shoal.metrics.RunMetrics;
import dev.shoal.monitor.MonitorProvider;
import dev.shoal.monitor.MonitorSettings;
import dev.shoal.monitor.RunListener;
import dev.shoal.progress.ProgressBar;
import dev.shoal.progress.ProgressLog;
import dev.shoal.taskdb.TaskDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The task database, metrics on a Prometheus endpoint and the progress display, as settings ask. */
public final class StandardMonitors implements MonitorProvider {
  private static final Duration LOG_EVERY = Duration.ofSeconds(10);

  @Override
  public List<RunListener> listeners(MonitorSettings settings) {
    List<RunListener> listeners = new ArrayList<>();
    try {
      settings.database().ifPresent(file -> listeners.add(TaskDatabase.open(file)));
      settings.prometheusPort().ifPresent(port -> listeners.add(new ServedMetrics(PrometheusEndpoint.onLoopback(port))));
      switch (settings.progress()) {
        case "auto" -> listeners.add(ProgressBar.forTerminal());
        case "bar" -> listeners.add(ProgressBar.onStream(System.err, 100));
        case "log" -> listeners.add(new ProgressLog(LOG_EVERY));
        default -> { }
      }
    } catch (RuntimeException e) {
      // Whatever opened before the failure is closed: nobody else holds it.
      listeners.forEach(RunListener::close);
      throw e;
    }
    return listeners;
  }

  /** Metrics served for as long as the run: the endpoint closes with it. */
  private static final class ServedMetrics implements RunListener {
    private final PrometheusEndpoint endpoint;
    private final RunMetrics metrics;

    ServedMetrics(PrometheusEndpoint endpoint) {
      this.endpoint = endpoint;
      this.metrics = new RunMetrics(endpoint.registry());
    }

    @Override
    public void task(dev.shoal.monitor.TaskEvent event) {
      metrics.task(event);
    }

    @Override
    public void queue(dev.shoal.monitor.QueueSample sample) {
      metrics.queue(sample);
    }

    @Override
    public void close() {
      endpoint.close();
    }

    @Override
    public String toString() {
      return "metrics at " + endpoint.uri();
    }
  }
}
