package dev.shoal.azure.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shoal.azure.fake.FakeArm;
import dev.shoal.azure.fake.FakeServiceBus;
import dev.shoal.dispatcher.PoolSettings;
import dev.shoal.dispatcher.ScalingReport;
import dev.shoal.spi.BurstSwitch;
import dev.shoal.spi.ComputeProvider;
import dev.shoal.spi.QueueDepth;
import dev.shoal.spi.QueueOptions;
import dev.shoal.spi.Transport;
import dev.shoal.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pool with a VM-only queue, dispatched as the Function builds it from its app settings, with
 * the real Azure SDKs against the fakes at their wire boundaries: the servicebus transport on
 * {@link FakeServiceBus} (depths and tasks-per-message records through the administration API),
 * the scale-set provider and the burst switch on {@link FakeArm}. The VM-only queue's tasks are the
 * VMs' demand, and the VMs are told to serve it; the burst, whose trigger reads the task queue
 * alone, follows the task queue alone.
 */
@Timeout(120)
class FunctionDispatcherWithVmQueueOnFakesTest {
  private static final String TASK_QUEUE = "shoal-tasks";
  private static final String DISABLED = "AzureWebJobs." + WorkerFunctions.WORK + ".Disabled";

  /** Still while the test runs, from the time FakeArm dates its VMs by (the wall clock's). */
  private final ManualClock clock = new ManualClock(Instant.now());
  private final List<AutoCloseable> closing = new ArrayList<>();
  private FakeServiceBus bus;
  private FakeArm arm;
  private Transport transport;
  private String taskQueue;
  private String vmQueue;
  private String scaleSet;
  private String burstApp;

  @BeforeEach
  void start() {
    bus = FakeServiceBus.start();
    arm = FakeArm.start();
    transport = DispatcherFunctions.transportProvider(DispatcherFunctions.TRANSPORT).create(bus.transportSettings());
    taskQueue = transport.createQueue(TASK_QUEUE, QueueOptions.defaults()).join();
    vmQueue = transport.createQueue("shoal-vm-tasks", QueueOptions.defaults()).join();
    scaleSet = arm.createPool("shoal-rg", "shoal-workers", "pool-1");
    burstApp = arm.createFunctionApp("shoal-rg", "shoal-burst", Map.of("FUNCTIONS_WORKER_RUNTIME", "java",
        DISABLED, "true"));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable resource : closing) {
      resource.close();
    }
    transport.close();
    arm.close();
    bus.close();
  }

  /**
   * The app settings the Bicep gives the Function, pointed at the fakes: the task queue by name,
   * the VM-only queue by address (as main.bicep sets it), with these overrides.
   */
  private Map<String, String> environment(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    bus.transportSettings().forEach((key, value) ->
        env.put(FunctionSettings.TRANSPORT_SETTING_PREFIX + key.replace(".", "__"), value));
    env.putAll(Map.of(
        FunctionSettings.TASK_QUEUE, TASK_QUEUE,
        FunctionSettings.VM_QUEUE, vmQueue,
        FunctionSettings.SCALE_SET_ID, scaleSet,
        FunctionSettings.WORKER_JAR_URL, "https://jars.example.invalid/worker/shoal-worker.jar",
        FunctionSettings.BURST_FUNCTION_APP_ID, burstApp,
        PoolSettings.MAX_WORKERS, "20",
        PoolSettings.SLOTS_PER_WORKER, "2",
        PoolSettings.PENDING_DEADLINE, "PT10M"));
    env.putAll(overrides);
    return env;
  }

  /** The dispatcher the Function builds from these settings, its ARM clients on the fake's pipeline. */
  private FunctionDispatcher dispatcher(Map<String, String> overrides) {
    FunctionSettings settings = FunctionSettings.fromEnvironment(environment(overrides));
    ComputeProvider provider = DispatcherFunctions.providerBuilder(settings).computeManager(arm.computeManager())
        .pollInterval(Duration.ofMillis(10)).clock(clock).build();
    closing.add(provider);
    BurstSwitch burst = DispatcherFunctions.burstSwitchBuilder(settings).environment(arm.profile().getEnvironment())
        .pipeline(arm.pipeline()).build();
    return new FunctionDispatcher(settings, transport, provider, burst, clock);
  }

  private void publish(String queue, int messages) {
    transport.send(queue, IntStream.range(0, messages)
        .mapToObj(i -> ("{\"bundle\":" + i + "}").getBytes(StandardCharsets.UTF_8)).toList()).join();
  }

  @Test
  void aBacklogOnlyOnTheVmOnlyQueueScalesThePoolOutAndLeavesTheBurstOffUntilTheTaskQueueHasOne() {
    FunctionDispatcher dispatcher = dispatcher(Map.of());
    publish(vmQueue, 3);

    ScalingReport vmOnly = dispatcher.tick();

    // 3 VM-only tasks, 2 slots a worker: 2 VMs, booting; the burst could not take those tasks.
    assertThat(vmOnly.action()).isEqualTo("SCALE_OUT");
    assertThat(vmOnly.launched()).hasSize(2);
    assertThat(vmOnly.visibleMessages()).isEqualTo(3);
    assertThat(arm.capacity(scaleSet)).isEqualTo(2);
    assertThat(vmOnly.burstOn()).isFalse();
    assertThat(vmOnly.burst()).isNotEqualTo("TURN_ON");
    assertThat(arm.appSettings(burstApp)).containsEntry(DISABLED, "true");
    assertThat(arm.appSettingsWrites(burstApp)).isZero();
    // The VMs serve both queues, by the addresses the dispatcher was given.
    assertThat(arm.customData(scaleSet)).contains("'--queue' '" + TASK_QUEUE + "'")
        .contains("'--vm-queue' '" + vmQueue + "'");

    // The same switch turns on for a backlog on the task queue while the VMs still boot...
    publish(taskQueue, 3);
    ScalingReport both = dispatcher.tick();

    // ... and the VMs' demand is both queues': 6 tasks, 3 VMs, so one more.
    assertThat(both.launched()).hasSize(1);
    assertThat(both.burst()).isEqualTo("TURN_ON");
    assertThat(both.reason()).contains("burst on: demand 3 tasks");
    assertThat(arm.appSettings(burstApp)).containsEntry(DISABLED, "false");
  }

  @Test
  void theVmOnlyQueuesOwnRecordOfTasksPerMessageSizesItsShareOfTheDemand() {
    FunctionDispatcher dispatcher = dispatcher(Map.of());
    publish(vmQueue, 2);
    publish(taskQueue, 1);
    // What the client's publisher to the VM-only queue records there: 5 tasks a message.
    transport.tagQueue(vmQueue, Map.of(QueueDepth.TASKS_PER_MESSAGE_TAG, "5")).join();

    ScalingReport report = dispatcher.tick();

    // 2 messages of 5 and 1 of 1 (the configured default): 11 tasks, 2 slots a worker: 6 VMs.
    assertThat(report.reason()).contains("demand 11 tasks");
    assertThat(report.launched()).hasSize(6);
  }

  @Test
  void aVmOnlyQueueThatCannotBeFoundOrIsTheTaskQueueStopsTheDispatcherFromBeingBuilt() {
    assertThatThrownBy(() -> dispatcher(Map.of(FunctionSettings.VM_QUEUE, "no-such-queue")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot find the VM-only queue no-such-queue");
    // The task queue's address where its name is the task queue: one queue, however spelt.
    assertThatThrownBy(() -> dispatcher(Map.of(FunctionSettings.VM_QUEUE, taskQueue)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is the task queue");
    assertThatThrownBy(() -> dispatcher(Map.of(FunctionSettings.VM_QUEUE, TASK_QUEUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(FunctionSettings.VM_QUEUE + " names the task queue");
    // Nothing was launched by a dispatcher that was not built.
    assertThat(arm.capacity(scaleSet)).isZero();
  }
}
