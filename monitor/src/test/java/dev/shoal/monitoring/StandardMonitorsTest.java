package dev.shoal.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.DataFlowKernel;
import dev.shoal.executor.ThreadPoolTaskExecutor;
import dev.shoal.monitor.MonitorProvider;
import dev.shoal.monitor.MonitorSettings;
import dev.shoal.monitor.RunListener;
import dev.shoal.taskdb.MonitorTestApps;
import dev.shoal.taskdb.TaskDatabase;
import dev.shoal.taskdb.TaskDatabaseReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandardMonitorsTest {
  @TempDir Path dir;

  @Test
  void isFoundOnTheClassPath() {
    assertThat(MonitorProvider.find()).get().isInstanceOf(StandardMonitors.class);
  }

  @Test
  void makesWhatTheSettingsAskForAndTheRunClosesIt() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    Path file = dir.resolve("monitoring.db");
    List<RunListener> listeners = new StandardMonitors().listeners(
        new MonitorSettings(Optional.of(file), OptionalInt.of(port), "off"));
    assertThat(listeners).hasSize(2);
    assertThat(listeners.get(0)).isInstanceOf(TaskDatabase.class);
    URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
    DataFlowKernel.Builder builder = DataFlowKernel.builder().runDir(dir)
        .executor(ThreadPoolTaskExecutor.builder().threads(1).build());
    listeners.forEach(builder::listener);
    String runId;
    try (DataFlowKernel dfk = builder.build()) {
      runId = dfk.runId();
      dfk.call(MonitorTestApps.SQUARE, 3L).join();
      String scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(scraped).contains("shoal_tasks_finished_total{app=\"taskdb.square\"");
    }
    try (TaskDatabaseReader reader = TaskDatabaseReader.open(file)) {
      assertThat(reader.run(runId)).isPresent();
    }
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(ConnectException.class);
  }

  @Test
  void aPortInUseIsAClearErrorAndLeavesNothingOpen() throws IOException {
    Path file = dir.resolve("monitoring.db");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> new StandardMonitors().listeners(
          new MonitorSettings(Optional.of(file), OptionalInt.of(taken.getLocalPort()), "off")))
          .isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot serve metrics on");
    }
    // The database opened first was closed: its writer thread is gone.
    assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
        .doesNotContain("shoal-taskdb-writer");
  }
}
