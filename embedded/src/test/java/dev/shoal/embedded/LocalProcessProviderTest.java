package dev.shoal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.aws.SqsClients;
import dev.shoal.aws.SqsTransport;
import dev.shoal.spi.QueueOptions;
import dev.shoal.testing.Await;
import dev.shoal.spi.WorkerInstance;
import dev.shoal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real worker JVMs on the embedded SQS server, started and stopped by the provider. */
@Timeout(120)
class LocalProcessProviderTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path logDir;

  private EmbeddedSqsServer server;
  private SqsTransport transport;
  private WorkerOptions options;
  private String queueAddress;

  @BeforeEach
  void startServer() {
    server = EmbeddedSqsServer.start();
    Map<String, String> settings = Map.of(SqsClients.ENDPOINT, server.endpoint().toString(),
        SqsClients.REGION, "us-east-1", SqsClients.CREDENTIALS, "static");
    transport = SqsClients.transport(settings);
    queueAddress = transport.createQueue("tasks", QueueOptions.defaults()).join();
    options = WorkerOptions.of("sqs", settings, "tasks").withSlots(1).withIdleTimeout(Duration.ZERO)
        .withReceiveWait(Duration.ofSeconds(1));
  }

  @AfterEach
  void stopServer() {
    transport.close();
    server.close();
  }

  @Test
  void aWorkerRunsWithTheOptionsUnderItsOwnIdAndStopsWhenTerminated() throws Exception {
    try (LocalProcessProvider provider = LocalProcessProvider.builder().options(options).logDir(logDir)
        .stopGrace(Duration.ofSeconds(10)).build()) {
      WorkerInstance launched = provider.launch(1).get(0);
      ProcessHandle process = provider.process(launched.id()).orElseThrow();

      await("the worker to report ready", () -> provider.list().stream()
          .anyMatch(worker -> worker.id().equals(launched.id()) && worker.state() == WorkerInstance.State.RUNNING));
      // The worker's own account of what it was told (its log is its stderr).
      String log = Files.readString(logDir.resolve(launched.id() + ".log"));
      assertThat(log).contains("worker " + launched.id() + " polling " + queueAddress + " with 1 slots");

      provider.terminate(List.of(launched.id()));

      await("the worker to exit", () -> !process.isAlive() && provider.list().isEmpty());
    }
  }

  @Test
  void closingStopsEveryWorkerAndRefusesNewOnes() throws Exception {
    LocalProcessProvider provider = LocalProcessProvider.builder().options(options).logDir(logDir)
        .stopGrace(Duration.ofSeconds(10)).build();
    List<ProcessHandle> processes = provider.launch(2).stream()
        .map(worker -> provider.process(worker.id()).orElseThrow()).toList();

    provider.close();

    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(provider.list()).isEmpty();
    assertThatThrownBy(() -> provider.launch(1)).isInstanceOf(IllegalStateException.class);
    try (Stream<Path> logs = Files.list(logDir)) {
      assertThat(logs).as("a log per worker").hasSize(2);
    }
  }

  @Test
  void anEmptyBundleIsDeadLetteredWithALineInTheWorkersLog() throws Exception {
    transport.createQueue("guarded", QueueOptions.defaults().withMaxReceiveCount(5)).join();
    String deadLetters = transport.queueAddress(QueueOptions.deadLetterName("guarded")).join();
    try (LocalProcessProvider provider = LocalProcessProvider.builder().options(options.withQueue("guarded"))
        .logDir(logDir).stopGrace(Duration.ofSeconds(10)).build()) {
      WorkerInstance launched = provider.launch(1).get(0);
      Path log = logDir.resolve(launched.id() + ".log");

      transport.send(transport.queueAddress("guarded").join(),
          List.of("{\"v\":1,\"kind\":\"tasks\",\"tasks\":[]}".getBytes(StandardCharsets.UTF_8))).join();

      await("the empty bundle in the dead-letter queue", () -> transport.depth(deadLetters).join().total() == 1);
      await("a line about it in the worker's log", () -> read(log).contains("is a bundle of no tasks, dead-lettering it"));
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static void await(String what, BooleanSupplier condition) {
    Await.until(WAIT, condition, () -> what);
  }

}
