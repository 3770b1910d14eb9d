package dev.shoal.azure.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shoal.AppFuture;
import dev.shoal.DataFlowKernel;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.executor.QueueExecutor;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.spi.TransportProvider;
import dev.shoal.worker.Worker;
import dev.shoal.worker.WorkerConfig;
import dev.shoal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counts the Service Bus operations that no-op tasks cost, on the fake namespace that the real SDK
 * talks to: a client (the queue executor) and a worker of 2 slots on a transport of its own (its
 * own AMQP connection, as a worker process would have), 2,000 tasks submitted at once. The fake
 * counts what reaches it ({@code FakeOperations}); the test prints the counts per 1,000 tasks, for
 * {@code bench/CLOUD.md}, and checks that the counting sees every message, not what the counts are:
 * those depend on bundling, which depends on timing.
 */
@Timeout(300)
class ServiceBusOperationCountOnFakeTest {
  private static final String TASKS = "azure-count-tasks";
  private static final int TASK_COUNT = 2_000;
  private static final int SLOTS = 2;

  @Test
  void countsTheOperationsOfEveryTaskMessage(@TempDir Path dir) throws Exception {
    Map<String, Long> beforeTasks;
    Map<String, Long> afterTasks;
    Map<String, Long> whole;
    long taskMessages;
    try (FakeServiceBus bus = FakeServiceBus.start()) {
      Transport clientTransport = TransportProvider.named("servicebus").create(bus.transportSettings());
      Transport workerTransport = TransportProvider.named("servicebus").create(bus.transportSettings());
      Worker worker = null;
      try {
        QueueExecutor executor = QueueExecutor.builder().transport(clientTransport).taskQueue(TASKS)
            .taskQueueOptions(QueueOptions.defaults().withVisibilityTimeout(Duration.ofSeconds(30)).withMaxReceiveCount(5))
            // As LocalCluster says it: the slots ready to take tasks, so that a burst spreads over them.
            .consumers(() -> SLOTS)
            .build();
        try (DataFlowKernel dfk = DataFlowKernel.builder().runDir(dir.resolve("runs")).executor(executor).build()) {
          String address = workerTransport.queueAddress(TASKS).join();
          worker = Worker.start(WorkerConfig.builder(WorkerOptions.of("servicebus", Map.of(), address)
              .withSlots(SLOTS).withWorkDir(dir.resolve("work"))).transport(workerTransport).build());
          beforeTasks = bus.operations().snapshot();
          List<AppFuture<Long>> squares = new ArrayList<>();
          for (long x = 0; x < TASK_COUNT; x++) {
            squares.add(dfk.call(AzureTestApps.SQUARE, x));
          }
          for (int i = 0; i < TASK_COUNT; i++) {
            assertThat(squares.get(i).orTimeout(240, TimeUnit.SECONDS).join()).isEqualTo((long) i * i);
          }
          afterTasks = bus.operations().snapshot();
          taskMessages = executor.messagesSent();
          worker.close();
        }
      } finally {
        if (worker != null) {
          worker.close();
        }
        clientTransport.close();
        workerTransport.close();
      }
      whole = bus.operations().snapshot();
    }
    Map<String, Long> duringTasks = minus(afterTasks, beforeTasks);
    print("servicebus_operations_per_1000_tasks", whole);
    print("servicebus_operations_per_1000_tasks_during_tasks", duringTasks);
    System.out.printf("servicebus_task_messages_per_1000_tasks: %.1f%n", taskMessages * 1000.0 / TASK_COUNT);

    // Every task message and every reply message was sent, delivered and completed at least once.
    assertThat(taskMessages).isPositive();
    assertThat(duringTasks.getOrDefault("send.message", 0L)).isGreaterThanOrEqualTo(taskMessages + 1);
    assertThat(duringTasks.getOrDefault("receive.message", 0L)).isGreaterThanOrEqualTo(taskMessages + 1);
    assertThat(duringTasks.getOrDefault("settle.complete", 0L)).isGreaterThanOrEqualTo(taskMessages + 1);
    assertThat(duringTasks.getOrDefault("receive.flow", 0L)).isPositive();
    assertThat(whole.getOrDefault("admin.PUT", 0L)).as("queues created").isGreaterThanOrEqualTo(2);
  }

  private static void print(String name, Map<String, Long> counts) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    System.out.printf("%s: %.1f%n", name, total * 1000.0 / TASK_COUNT);
    for (String kind : new TreeSet<>(counts.keySet())) {
      System.out.printf("%s_%s: %.2f%n", name, kind, counts.get(kind) * 1000.0 / TASK_COUNT);
    }
  }

  private static Map<String, Long> minus(Map<String, Long> later, Map<String, Long> earlier) {
    Map<String, Long> difference = new TreeMap<>();
    later.forEach((kind, count) -> {
      long delta = count - earlier.getOrDefault(kind, 0L);
      if (delta != 0) {
        difference.put(kind, delta);
      }
    });
    return difference;
  }
}
