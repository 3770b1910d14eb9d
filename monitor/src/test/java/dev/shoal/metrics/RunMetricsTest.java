package dev.shoal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.monitor.QueueSample;
import dev.shoal.taskdb.MonitorTestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's metrics, scraped over HTTP as Prometheus would. */
class RunMetricsTest {
  @TempDir Path dir;

  private static String scrape(URI uri) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    return response.body();
  }

  @Test
  void tasksByStateRunTimesAndLatenciesAreScraped() throws Exception {
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.onLoopback(0)) {
      assertThat(endpoint.uri().getHost()).isEqualTo("127.0.0.1");
      RunMetrics metrics = new RunMetrics(endpoint.registry());
      String key = UUID.randomUUID().toString();
      try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir).listener(metrics)
          .executor(ThreadPoolTaskExecutor.builder().label("threads").threads(2).build()).build()) {
        for (long i = 0; i < 5; i++) {
          dfk.call(MonitorTestApps.SQUARE, i).join();
        }
        dfk.call(MonitorTestApps.FAIL, "boom").exceptionally(error -> 0L).join();
        AppFuture<Long> gated = dfk.call(MonitorTestApps.GATED, key);
        dfk.call(MonitorTestApps.SQUARE, gated);
        metrics.queue(new QueueSample(dfk.runId(), "threads", Instant.now(), 12, 3, 2));

        String during = scrape(endpoint.uri());
        assertThat(during).contains("shoal_tasks_active{state=\"running\"} 1.0")
            .contains("shoal_tasks_active{state=\"waiting\"} 1.0")
            .contains("shoal_queue_messages{executor=\"threads\",state=\"waiting\"} 12.0")
            .contains("shoal_queue_messages{executor=\"threads\",state=\"in_flight\"} 3.0")
            .contains("shoal_pool_workers{executor=\"threads\"} 2.0");
        MonitorTestApps.open(key);
      }
      String after = scrape(endpoint.uri());
      assertThat(after)
          .contains("shoal_tasks_submitted_total{app=\"taskdb.square\",executor=\"threads\"} 6.0")
          .contains("shoal_tasks_finished_total{app=\"taskdb.square\",executor=\"threads\",state=\"done\"} 6.0")
          .contains("shoal_tasks_finished_total{app=\"taskdb.fail\",executor=\"threads\",state=\"failed\"} 1.0")
          .contains("shoal_task_run_seconds_count{app=\"taskdb.square\",executor=\"threads\"} 6")
          .contains("shoal_task_latency_seconds_count{app=\"taskdb.gated\",executor=\"threads\"} 1")
          .contains("shoal_task_latency_seconds_bucket{app=\"taskdb.square\"")
          .contains("shoal_tasks_active{state=\"running\"} 0.0")
          .contains("shoal_tasks_active{state=\"waiting\"} 0.0");
    }
  }

  @Test
  void onlyGetIsServed() throws Exception {
    try (PrometheusEndpoint endpoint = PrometheusEndpoint.onLoopback(0)) {
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.uri())
          .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(405);
    }
  }
}
