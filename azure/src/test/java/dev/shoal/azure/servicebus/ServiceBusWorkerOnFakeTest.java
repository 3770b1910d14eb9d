package dev.shoal.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.testing.Await;
import dev.shoal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker JVM started with {@code --transport servicebus}, as a launcher starts one, serves a
 * client's tasks through the fake namespace: the provider is found by name, the connection string
 * in the environment, the queue by its name; results come back on the run's reply queue.
 */
@Timeout(180)
class ServiceBusWorkerOnFakeTest {
  private static final String TASKS = "azure-worker-tasks";
  private static FakeServiceBus bus;
  private static Process worker;
  private static Path workerLog;
  private static Transport transport;
  private static DataFlowKernel dfk;

  @BeforeAll
  static void start(@TempDir Path dir) throws IOException {
    bus = FakeServiceBus.start();
    // The connection string holds a key: it goes in the environment, where a command line's settings are public.
    Map<String, String> settings = new HashMap<>(bus.transportSettings());
    String connection = settings.remove(ServiceBusClients.CONNECTION);
    WorkerOptions options = WorkerOptions.of("servicebus", settings, TASKS)
        .withSlots(2)
        .withExitWithParent(true)
        .withWorkDir(dir.resolve("work"));
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), WorkerOptions.MAIN_CLASS));
    command.addAll(options.arguments());
    workerLog = dir.resolve("worker.log");
    ProcessBuilder launch = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(workerLog.toFile());
    launch.environment().put(ServiceBusClients.CONNECTION_ENV, connection);
    worker = launch.start();

    transport = TransportProvider.named("servicebus").create(bus.transportSettings());
    QueueExecutor executor = QueueExecutor.builder().transport(transport).taskQueue(TASKS)
        .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(Duration.ofSeconds(30)).withMaxReceiveCount(5))
        .build();
    dfk = DataFlowKernel.builder().runDir(dir.resolve("runs")).executor(executor).build();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (dfk != null) {
        dfk.close();
      }
      if (transport != null) {
        transport.close();
      }
    } finally {
      if (worker != null) {
        worker.destroy();
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
      bus.close();
    }
  }

  private static String log() {
    try {
      return Files.readString(workerLog, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Test
  void theWorkerServesTasksAndTheQueueEmpties() {
    List<AppFuture<Long>> squares = new ArrayList<>();
    for (long x = 1; x <= 20; x++) {
      squares.add(dfk.call(AzureTestApps.SQUARE, x));
    }

    List<Long> results = new ArrayList<>();
    for (AppFuture<Long> square : squares) {
      results.add(square.orTimeout(120, TimeUnit.SECONDS).exceptionally(error -> {
        throw new AssertionError("a task failed; worker log:\n" + log(), error);
      }).join());
    }

    assertThat(results).hasSize(20).contains(1L, 4L, 400L);
    assertThat(results.stream().mapToLong(Long::longValue).sum()).isEqualTo(2870L);
    String address = transport.queueAddress(TASKS).join();
    Await.until(Duration.ofSeconds(30), () -> transport.depth(address).join().equals(new QueueDepth(0, 0)),
        () -> "the task queue to empty: " + transport.depth(address).join());
    assertThat(worker.isAlive()).as("worker log:\n%s", log()).isTrue();
  }

  @Test
  void aTaskThatThrowsFailsItsFutureWithTheException() {
    AppFuture<String> failed = dfk.call(AzureTestApps.FAIL, "no such thing");

    assertThatThrownBy(() -> failed.orTimeout(120, TimeUnit.SECONDS).join())
        .isInstanceOf(CompletionException.class)
        .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("no such thing");
  }
}
